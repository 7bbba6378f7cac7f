// The portal's text for vocabulary: Dutch first, English beside it.
import { messages } from './messages.ts';

export const vocabulary = messages({
  nl: {
    'orgtype-kraamzorg': 'kraamzorgorganisaties',
    'orgtype-verloskunde': 'verloskundigen',
    'orgtype-huisarts': 'huisartsen',
    'orgtype-ziekenhuis': 'ziekenhuizen',
    'orgtype-apotheek': 'apotheken',
    'orgtype-vvt': 'VVT (verpleging, verzorging, thuiszorg)',
    'orgtype-zorgverzekeraar': 'zorgverzekeraars',
  },
  en: {
    'orgtype-kraamzorg': 'maternity-care organisations',
    'orgtype-verloskunde': 'midwives',
    'orgtype-huisarts': 'GPs',
    'orgtype-ziekenhuis': 'hospitals',
    'orgtype-apotheek': 'pharmacies',
    'orgtype-vvt': 'nursing and home care',
    'orgtype-zorgverzekeraar': 'insurers',
  },
});
