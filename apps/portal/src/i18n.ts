/** All UI text, Dutch first. One flat dictionary per language; keys are English identifiers. */
export type Lang = 'nl' | 'en';

const nl = {
  appName: 'Ketenlog',
  skip: 'Naar de inhoud',
  language: 'English',
  languageLabel: 'Switch to English',
  navTimeline: 'Mijn gegevens',
  navMeasurements: 'Mijn metingen',
  navConsent: 'Wie ziet wat',
  navHours: 'Kraamzorguren',
  navClients: 'Cliënten',
  navLogin: 'Inloggen',
  logout: 'Uitloggen',
  loggedInAs: 'Ingelogd als',
  notLoggedIn: 'Niet ingelogd',
  loading: 'Bezig met laden…',
  empty: 'Nog niets om te tonen.',
  error: 'Er ging iets mis',
  retry: 'Opnieuw proberen',
  notAvailable: 'Nog niet beschikbaar',
  notAvailableBody:
    'Deze functie wordt nog gebouwd. Er worden hier geen gegevens getoond tot ze echt bestaan.',
  loginTitle: 'Inloggen',
  loginClient: 'Als cliënt',
  loginClientIntro:
    'Eerste keer? Controleer uw identiteit met (demo-)DigiD en maak een passkey aan. Daarna logt u in met uw passkey.',
  enrol: 'Identiteit controleren en passkey aanmaken',
  passkeyLogin: 'Inloggen met passkey',
  loginProfessional: 'Als zorgverlener',
  professionalId: 'Gebruikersnaam',
  password: 'Wachtwoord',
  totp: 'Code uit uw authenticator-app',
  submit: 'Inloggen',
  loginFailed: 'Inloggen is niet gelukt. Controleer uw gegevens.',
  timelineTitle: 'Mijn gegevens bij deze organisatie',
  timelineIntro: 'Alles wat hier over u is vastgelegd, nieuwste eerst.',
  source: 'Bron',
  selfReported: 'Zelf ingevoerd',
  byProfessional: 'Door zorgverlener',
  referenceRange: 'Referentiewaarde',
  exportData: 'Mijn gegevens downloaden (FHIR JSON)',
  verified: 'Geverifieerd',
  typeCondition: 'Aandoening',
  typeMedicationStatement: 'Medicatie',
  typeMedicationRequest: 'Medicatie',
  typeAllergyIntolerance: 'Allergie',
  typeObservation: 'Meting of uitslag',
  typeEncounter: 'Contact',
  typeDocumentReference: 'Document',
  measurementsTitle: 'Mijn metingen',
  consentTitle: 'Wie ziet wat',
  consentIntro:
    'Hier bepaalt u welke organisaties welke gegevens mogen zien. Elke keuze ondertekent u met uw passkey.',
  hoursTitle: 'Kraamzorguren',
  clientsTitle: 'Mijn cliënten',
  loginNeeded: 'Log eerst in om deze pagina te zien.',
  notFound: 'Deze pagina bestaat niet.',
  unknownSource: 'onbekende organisatie',
};

export type MessageKey = keyof typeof nl;

const en: Record<MessageKey, string> = {
  appName: 'Ketenlog',
  skip: 'Skip to content',
  language: 'Nederlands',
  languageLabel: 'Schakel naar Nederlands',
  navTimeline: 'My data',
  navMeasurements: 'My measurements',
  navConsent: 'Who sees what',
  navHours: 'Maternity hours',
  navClients: 'Clients',
  navLogin: 'Log in',
  logout: 'Log out',
  loggedInAs: 'Logged in as',
  notLoggedIn: 'Not logged in',
  loading: 'Loading…',
  empty: 'Nothing to show yet.',
  error: 'Something went wrong',
  retry: 'Try again',
  notAvailable: 'Not available yet',
  notAvailableBody: 'This feature is still being built. No data is shown here until it really exists.',
  loginTitle: 'Log in',
  loginClient: 'As a client',
  loginClientIntro:
    'First time? Check your identity with (demo) DigiD and create a passkey. After that, log in with your passkey.',
  enrol: 'Check identity and create passkey',
  passkeyLogin: 'Log in with passkey',
  loginProfessional: 'As a professional',
  professionalId: 'User name',
  password: 'Password',
  totp: 'Code from your authenticator app',
  submit: 'Log in',
  loginFailed: 'Login failed. Please check your details.',
  timelineTitle: 'My data at this organisation',
  timelineIntro: 'Everything recorded about you here, newest first.',
  source: 'Source',
  selfReported: 'Self-reported',
  byProfessional: 'By a professional',
  referenceRange: 'Reference range',
  exportData: 'Download my data (FHIR JSON)',
  verified: 'Verified',
  typeCondition: 'Condition',
  typeMedicationStatement: 'Medication',
  typeMedicationRequest: 'Medication',
  typeAllergyIntolerance: 'Allergy',
  typeObservation: 'Measurement or result',
  typeEncounter: 'Encounter',
  typeDocumentReference: 'Document',
  measurementsTitle: 'My measurements',
  consentTitle: 'Who sees what',
  consentIntro:
    'Here you decide which organisations may see which data. You sign each choice with your passkey.',
  hoursTitle: 'Maternity hours',
  clientsTitle: 'My clients',
  loginNeeded: 'Please log in to see this page.',
  notFound: 'This page does not exist.',
  unknownSource: 'unknown organisation',
};

const dictionaries: Record<Lang, Record<MessageKey, string>> = { nl, en };

export type Translate = (key: MessageKey) => string;

export function translator(lang: Lang): Translate {
  const dict = dictionaries[lang];
  return (key) => dict[key];
}

export function isMessageKey(key: string): key is MessageKey {
  return key in nl;
}
