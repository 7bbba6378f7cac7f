// The portal's text for access: Dutch first, English beside it.
import { messages } from './messages.ts';

export const access = messages({
  nl: {
    accessIntro:
      'Elke keer dat iemand uw gegevens opvraagt, legt de bron dat vast. Hier ziet u wie, wanneer en waarom.',
    noAccesses: 'Er heeft nog niemand uw gegevens opgevraagd.',
    accessAllowed: 'ingezien',
    accessRefused: 'geweigerd',
    emergencyAccesses: 'Noodtoegang tot uw gegevens',
    'purpose-other': 'ander doel',
    someoneElse: 'Iemand anders',
  },
  en: {
    accessIntro:
      'Every time someone requests your data, the source records it. Here you see who, when and why.',
    noAccesses: 'Nobody has requested your data yet.',
    accessAllowed: 'viewed',
    accessRefused: 'refused',
    emergencyAccesses: 'Emergency access to your data',
    'purpose-other': 'other purpose',
    someoneElse: 'Someone else',
  },
});
