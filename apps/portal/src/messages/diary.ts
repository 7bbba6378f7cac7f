// The portal's text for diary: Dutch first, English beside it.
import { messages } from './messages.ts';

export const diary = messages({
  nl: {
    diaryIntro:
      'Schrijf kort op hoe het met u gaat. Uw dagboek wordt bewaard bij deze organisatie, gemarkeerd als zelf ingevoerd. U bepaalt met wie u het deelt.',
    diaryText: 'Wat wilt u vastleggen?',
    diarySave: 'Opslaan',
    diarySaved: 'Opgeslagen in uw dagboek.',
    diaryEmpty: 'U heeft nog niets in uw dagboek geschreven.',
    diaryEntries: 'Eerdere berichten',
    diaryForClients: 'U houdt uw dagboek bij als cliënt: log in met uw passkey.',
    diaryNoPatient: 'U bent bij deze organisatie niet bekend als cliënt; hier kunt u geen dagboek bijhouden.',
    diaryShareTitle: 'Delen met',
    diaryShareIntro:
      'Uw dagboek en eigen metingen zijn voor anderen niet zichtbaar tot u ze deelt. Delen ondertekent u met uw passkey; intrekken kan op "Wie ziet wat".',
    diaryShare: 'Delen (ondertekenen met passkey)',
    diaryShared: 'Gedeeld. U ziet dit terug op "Wie ziet wat".',
    chooseParty: 'Kies een soort organisatie of vul een URA-nummer in.',
  },
  en: {
    diaryIntro:
      'Write down briefly how you are doing. Your diary is kept at this organisation, marked as entered by you. You decide whom you share it with.',
    diaryText: 'What would you like to record?',
    diarySave: 'Save',
    diarySaved: 'Saved in your diary.',
    diaryEmpty: 'You have not written anything in your diary yet.',
    diaryEntries: 'Earlier entries',
    diaryForClients: 'You keep your diary as a client: log in with your passkey.',
    diaryNoPatient: 'You are not known as a client at this organisation; you cannot keep a diary here.',
    diaryShareTitle: 'Share with',
    diaryShareIntro:
      'Your diary and own measurements are not visible to others until you share them. You sign sharing with your passkey; you can withdraw it under "Who sees what".',
    diaryShare: 'Share (sign with passkey)',
    diaryShared: 'Shared. You will find it under "Who sees what".',
    chooseParty: 'Choose a kind of organisation or enter a URA number.',
  },
});
