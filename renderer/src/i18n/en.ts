import type { Messages } from './fr';

/** English, the second language. Same keys as fr.ts. */
const en: Messages = {
  app: {
    name: 'Vigie',
    tagline: 'Your amelipro accounts, always available',
    skipToContent: 'Skip to content',
    language: 'Language',
    languages: { fr: 'Français', en: 'English' },
    demoBadge: 'Demo',
  },
  connection: {
    connecting: 'Connecting to this workstation…',
    closed: 'This workstation stopped answering. Trying again…',
  },
  home: {
    title: 'Sign in',
    intro: 'Insert your CPS card in the reader to sign in.',
  },
  card: {
    title: 'Card reader',
    status: {
      starting: 'Looking for the reader…',
      'no-service': 'The smart card service does not answer',
      'no-reader': 'No card reader plugged in',
      empty: 'Insert your CPS card',
      present: 'Card inserted',
      busy: 'The card is used by another program',
      error: 'The card does not answer properly',
    },
    help: {
      starting: 'One moment.',
      'no-service':
        'Vigie cannot reach the computer’s PC/SC service. Restart the computer or call your IT support.',
      'no-reader': 'Plug the reader into a USB port. Vigie will find it by itself.',
      empty: 'Chip facing up, in the reader’s “CPS” slot.',
      present: 'Your card is ready.',
      busy: 'Close the other program using the card (billing, mail), then wait a few seconds.',
      error: 'Take the card out and insert it again.',
    },
    holderCard: 'Card of {{name}}',
    holderProfession: '{{profession}}',
    readerLabel: 'Reader: {{name}}',
    triesLeft_one: '{{count}} try left for the PIN',
    triesLeft_other: '{{count}} tries left for the PIN',
    pictureEmpty: 'Empty reader',
    picturePresent: 'Card in the reader',
    pictureNone: 'No reader',
  },
  backend: {
    title: 'Accounts server',
    reachable: 'Reachable',
    unreachable: 'Unreachable',
    embedded: 'built into this workstation',
    remote: 'remote ({{address}})',
    checkedAt: 'Checked at {{time}}',
    unreachableHelp: 'Your information stays on screen. Vigie retries automatically.',
  },
  footer: {
    version: 'Vigie {{version}}',
  },
};
export default en;
