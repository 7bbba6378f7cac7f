// The portal's text for login: Dutch first, English beside it.
import { messages } from './messages.ts';

export const login = messages({
  nl: {
    loginClient: 'Als cliënt',
    loginClientIntro:
      'Eerste keer? Controleer uw identiteit met (demo-)DigiD en maak een passkey aan. Daarna logt u in met uw passkey.',
    enrol: 'Identiteit controleren en passkey aanmaken',
    enrolRepresentative: 'U handelt voor iemand anders? Log in met DigiD als vertegenwoordiger',
    passkeyLogin: 'Inloggen met passkey',
    loginProfessional: 'Als zorgverlener',
    professionalId: 'Gebruikersnaam',
    password: 'Wachtwoord',
    totp: 'Code uit uw authenticator-app',
    loginFailed: 'Inloggen is niet gelukt. Controleer uw gegevens.',
    passkeyLoginFailed: 'Inloggen met passkey is niet gelukt.',
    enrolledBody: 'Uw passkey is aangemaakt. Log nu in met uw passkey; daarna ziet u uw eigen startpagina.',
    enrolledTitle: 'Passkey aangemaakt',
    loggingIn: 'Bezig met inloggen…',
  },
  en: {
    loginClient: 'As a client',
    loginClientIntro:
      'First time? Check your identity with (demo) DigiD and create a passkey. After that, log in with your passkey.',
    enrol: 'Check identity and create passkey',
    enrolRepresentative: 'Acting for someone else? Log in with DigiD as a representative',
    passkeyLogin: 'Log in with passkey',
    loginProfessional: 'As a professional',
    professionalId: 'User name',
    password: 'Password',
    totp: 'Code from your authenticator app',
    loginFailed: 'Login failed. Please check your details.',
    passkeyLoginFailed: 'Logging in with your passkey did not succeed.',
    enrolledBody: 'Your passkey has been created. Log in with it now; you will then see your own home page.',
    enrolledTitle: 'Passkey created',
    loggingIn: 'Logging in…',
  },
});
