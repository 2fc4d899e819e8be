/** French, the default language. Keys must match en.ts exactly (checked by a test). */
const fr = {
  app: {
    name: 'Vigie',
    tagline: 'Vos comptes amelipro, toujours accessibles',
    skipToContent: 'Aller au contenu',
    language: 'Langue',
    languages: { fr: 'Français', en: 'English' },
    demoBadge: 'Démonstration',
  },
  connection: {
    connecting: 'Connexion au poste…',
    closed: 'Le poste ne répond plus. Nouvelle tentative en cours…',
  },
  home: {
    title: 'Connexion',
    intro: 'Insérez votre carte CPS dans le lecteur pour vous connecter.',
  },
  card: {
    title: 'Lecteur de carte',
    status: {
      starting: 'Recherche du lecteur…',
      'no-service': 'Le service des cartes à puce ne répond pas',
      'no-reader': 'Aucun lecteur de carte branché',
      empty: 'Insérez votre carte CPS',
      present: 'Carte insérée',
      busy: 'Carte utilisée par un autre logiciel',
      error: 'La carte ne répond pas correctement',
    },
    help: {
      starting: 'Un instant.',
      'no-service':
        'Vigie ne peut pas joindre le service PC/SC de l’ordinateur. Redémarrez l’ordinateur ou appelez votre support informatique.',
      'no-reader': 'Branchez le lecteur sur un port USB. Vigie le détectera tout seul.',
      empty: 'Puce vers le haut, dans la fente « CPS » du lecteur.',
      present: 'Votre carte est prête.',
      busy: 'Fermez l’autre logiciel qui utilise la carte (facturation, messagerie), puis attendez quelques secondes.',
      error: 'Retirez la carte et insérez-la de nouveau.',
    },
    holderCard: 'Carte de {{name}}',
    holderProfession: '{{profession}}',
    readerLabel: 'Lecteur : {{name}}',
    triesLeft_one: 'Il reste {{count}} essai pour le code',
    triesLeft_other: 'Il reste {{count}} essais pour le code',
    pictureEmpty: 'Lecteur vide',
    picturePresent: 'Carte dans le lecteur',
    pictureNone: 'Pas de lecteur',
  },
  backend: {
    title: 'Serveur des comptes',
    reachable: 'Joignable',
    unreachable: 'Injoignable',
    embedded: 'intégré à ce poste',
    remote: 'distant ({{address}})',
    checkedAt: 'Vérifié à {{time}}',
    unreachableHelp: 'Vos informations restent affichées. Vigie réessaie automatiquement.',
  },
  footer: {
    version: 'Vigie {{version}}',
  },
};
export default fr;
export type Messages = typeof fr;
