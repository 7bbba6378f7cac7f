// The portal's text for home: Dutch first, English beside it.
import { messages } from './messages.ts';

export const home = messages({
  nl: {
    approveNow: 'Nu bekijken en goedkeuren',
    landingClient: 'Voor cliënten',
    landingClientBody:
      'Zie uw gegevens van alle zorgverleners op één plek, keur uw kraamzorguren goed en bepaal zelf wie wat mag zien.',
    landingIntro: 'Uw zorggegevens, wie ze ziet en wat er is vastgelegd — in één portaal voor de regio.',
    landingProfessional: 'Voor zorgverleners',
    landingProfessionalBody:
      'Vind uw cliënt op naam of BSN, bekijk het overzicht uit de hele regio, schrijf uren of beoordeel declaraties.',
    landingTitle: 'Welkom bij Ketenlog',
    repActingForName: 'U handelt nu namens',
    repChooseFirst: 'Kies eerst voor wie u optreedt:',
    mandateMay: 'Dit mag u namens haar',
    mandateMayNot: 'Dit mag u niet',
    mandateUntil: 'Uw machtiging geldt tot',
    taskAccess: 'Zie wie uw gegevens heeft bekeken, wanneer en waarom.',
    taskConsent: 'Bepaal wie welke gegevens mag zien, en zie vooraf wat een organisatie dan ziet.',
    taskDiary: 'Schrijf op hoe het gaat en deel het met wie u kiest.',
    taskHours: 'Keur de uren van uw kraamverzorgende goed of af.',
    taskMeasurements: 'Uw eigen metingen, zoals bloeddruk en gewicht, in een grafiek.',
    taskRepresentative: 'Laat iemand anders namens u handelen, of trek dat in.',
    taskTimeline: 'Al uw gegevens van alle zorgverleners, de nieuwste eerst. Download of wis ze hier.',
    visitToApproveOne: 'bezoek wacht op uw akkoord.',
    visitToApproveOther: 'bezoeken wachten op uw akkoord.',
    welcome: 'Welkom',
    welcomePlain: 'Welkom',
  },
  en: {
    approveNow: 'Review and approve now',
    landingClient: 'For clients',
    landingClientBody:
      'See your data from every care provider in one place, approve your maternity-care hours and decide who sees what.',
    landingIntro: 'Your health data, who sees it and what was recorded — in one portal for the region.',
    landingProfessional: 'For professionals',
    landingProfessionalBody:
      'Find your client by name or BSN, see the overview from the whole region, log hours or assess claims.',
    landingTitle: 'Welcome to Ketenlog',
    repActingForName: 'You are now acting for',
    repChooseFirst: 'First choose whom you act for:',
    mandateMay: 'You may do this for her',
    mandateMayNot: 'You may not',
    mandateUntil: 'Your authorisation is valid until',
    taskAccess: 'See who looked at your data, when and why.',
    taskConsent: 'Decide who may see which data, and preview what an organisation would see.',
    taskDiary: 'Write down how you are doing and share it with whom you choose.',
    taskHours: 'Approve or reject your maternity carer’s hours.',
    taskMeasurements: 'Your own measurements, such as blood pressure and weight, in a chart.',
    taskRepresentative: 'Let someone act for you, or withdraw that.',
    taskTimeline: 'All your data from every care provider, newest first. Download or erase it here.',
    visitToApproveOne: 'visit awaits your approval.',
    visitToApproveOther: 'visits await your approval.',
    welcome: 'Welcome',
    welcomePlain: 'Welcome',
  },
});
