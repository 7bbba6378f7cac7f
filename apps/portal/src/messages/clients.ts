// The portal's text for clients: Dutch first, English beside it.
import { messages } from './messages.ts';

export const clients = messages({
  nl: {
    clientsConsentShared: 'gedeeld door andere organisaties',
    clientsConsentWithheld: 'niet gedeeld (geen toestemming)',
    clientsConsentNone: 'Geen gegevens bij andere organisaties.',
    overviewIntro:
      'Wat de organisaties in de regio over deze cliënt delen, met haar toestemming. Niets wordt hier bewaard.',
    overviewMissing: 'Wat ontbreekt',
    overviewComplete: 'Alle organisaties gaven antwoord; niets is achtergehouden.',
    btgTitle: 'Noodtoegang',
    btgIntro:
      'Alleen in een noodsituatie, als de cliënt geen toestemming kan geven. U ziet dan voor deze ene vraag ook wat zij niet deelde. De reden wordt vastgelegd en aan de cliënt getoond.',
    btgSubmit: 'Noodtoegang gebruiken',
    btgUsed:
      'Noodtoegang gebruikt: dit overzicht toont ook wat de cliënt niet deelde. Uw reden is vastgelegd.',
    overviewRecords: 'Gegevens',
    bsn: 'BSN',
    btgActive: 'Noodtoegang gebruikt:',
    clientsNoneFound: 'Geen cliënt gevonden. Zoek op een deel van de naam of op het BSN.',
    clientsSearch: 'Zoek op naam of BSN',
    kindOfDataOne: 'soort gegevens',
    kindOfDataOther: 'soorten gegevens',
    patientBanner: 'Cliëntgegevens',
    years: 'jaar',
  },
  en: {
    clientsConsentShared: 'shared by other organisations',
    clientsConsentWithheld: 'not shared (no consent)',
    clientsConsentNone: 'No data at other organisations.',
    overviewIntro:
      'What the organisations in the region share about this client, with her consent. Nothing is kept here.',
    overviewMissing: 'What is missing',
    overviewComplete: 'Every organisation answered; nothing was withheld.',
    btgTitle: 'Emergency access',
    btgIntro:
      'Only in an emergency, when the client cannot consent. For this one request you also see what she did not share. Your reason is recorded and shown to the client.',
    btgSubmit: 'Use emergency access',
    btgUsed:
      'Emergency access used: this overview also shows what the client did not share. Your reason is recorded.',
    overviewRecords: 'Records',
    bsn: 'BSN',
    btgActive: 'Emergency access used:',
    clientsNoneFound: 'No client found. Search by part of the name or by BSN.',
    clientsSearch: 'Search by name or BSN',
    kindOfDataOne: 'kind of data',
    kindOfDataOther: 'kinds of data',
    patientBanner: 'Client details',
    years: 'years',
  },
});
