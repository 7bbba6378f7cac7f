// The portal's text for measurements: Dutch first, English beside it.
import { messages } from './messages.ts';

export const measurements = messages({
  nl: {
    appIntro:
      'Meet u thuis met een app (PGO)? Koppel die app, dan komen uw metingen hier, gemarkeerd als zelf gemeten.',
    appConnect: 'Koppel de demo-app',
    measureBp: 'Bloeddruk (bovendruk/onderdruk)',
    measureGlucose: 'Glucose',
    measureWeight: 'Gewicht',
    targetRange: 'Streefwaarde',
    outOfTarget: 'buiten streefwaarde',
    atMost: 'ten hoogste',
  },
  en: {
    appIntro:
      'Do you measure at home with an app (a PGO)? Connect it and your measurements appear here, marked as self-measured.',
    appConnect: 'Connect the demo app',
    measureBp: 'Blood pressure (systolic/diastolic)',
    measureGlucose: 'Glucose',
    measureWeight: 'Weight',
    targetRange: 'Target',
    outOfTarget: 'out of target',
    atMost: 'at most',
  },
});
