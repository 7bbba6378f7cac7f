// The portal's text, one module per page (Dutch and English side by side); i18n.ts merges them.
export { access } from './access.ts';
export { analyst } from './analyst.ts';
export { clients } from './clients.ts';
export { common } from './common.ts';
export { consent } from './consent.ts';
export { dashboard } from './dashboard.ts';
export { diary } from './diary.ts';
export { home } from './home.ts';
export { hours } from './hours.ts';
export { login } from './login.ts';
export { measurements } from './measurements.ts';
export { representative } from './representative.ts';
export { timeline } from './timeline.ts';
export { vocabulary } from './vocabulary.ts';
