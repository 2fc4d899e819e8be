/**
 * The population model: every parameter of the simulation, each with why that value. Change them here only.
 * Times are Europe/Paris; durations are in days unless said otherwise.
 */
export const PARAMS = {
  /** A Monday, after the test PKI's intermediate became valid, so that warm-up sign-ins pass the chain checks. */
  start: '2027-06-07T00:00:00+02:00',
  /**
   * Before `start`, each account gets a creation date and a last sign-in spread over this many days, so that block
   * dates are spread as in a running system (not one cohort created on the same day). Shorter than 6 months: no
   * block can happen before `start`.
   */
  warmupDays: 150,

  pharmacy: {
    /** Staff members with their own CPS/CPE card besides the holder (issue: 1–3). */
    staff: [1, 3] as [number, number],
    /** Counter workstations; most pharmacies have two or three. Plus one back-office workstation. */
    counters: [2, 3] as [number, number],
    /** Accounts of accountants with a password delegation (issue: 1–2 per pharmacy). */
    accountants: [1, 2] as [number, number],
    /** Share of pharmacies with an administrative delegate (password, back office): "sometimes". */
    adminShare: 0.3,
    /** Open Monday to Saturday; closed the week of Christmas (issue). */
    closedChristmasWeek: true,
  },

  accountants: {
    /** An accountant firm often keeps the books of several pharmacies (one account in each). */
    reuseShare: 0.55,
    /** At most this many pharmacies per accountant. */
    maxPharmacies: 6,
    /**
     * How often an accountant needs a given pharmacy's account. Quarterly VAT and closings dominate; some only
     * sign in twice a year or once a year (annual closing): those are the ones the 6-month rule catches.
     */
    cadence: { quarterly: 0.45, semiannual: 0.35, annual: 0.2 },
    cadenceDays: {
      quarterly: [75, 100] as [number, number],
      semiannual: [150, 200] as [number, number],
      annual: [330, 380] as [number, number],
    },
    /** Signs in from the pharmacy's back office rather than from her own office (on-site visits). */
    onSiteShare: 0.15,
    /** Her own office computer is replaced this often per year (a new install follows nothing yet). */
    officeReplacedPerYear: 0.2,
  },

  admin: {
    /** An administrative delegate needs the account about monthly (declarations, payments). */
    cadenceDays: [20, 45] as [number, number],
    /** Days present at the back office per week. */
    daysPerWeek: [2, 4] as [number, number],
  },

  staff: {
    /** Leaves the pharmacy, per person-year: pharmacy staff turnover is high. */
    leavesPerYear: 0.15,
    /** When someone leaves, the holder revokes the delegation; otherwise it is forgotten (blocked later: the rule working). */
    revokeShare: 0.6,
    /** A replacement arrives this many days later. */
    replacementAfter: [0, 60] as [number, number],
    /** Long leave (maternity, illness) per person-year, and its length: the frequent users' only way near the deadline. */
    longLeavePerYear: 0.04,
    longLeaveDays: [120, 240] as [number, number],
    /** Days worked per week (a pharmacy is open 6). */
    daysPerWeek: 5,
  },

  holidays: {
    /** 3–5 weeks a year (issue), most of it in August. */
    weeksPerYear: [3, 5] as [number, number],
    augustWeeks: [2, 3] as [number, number],
    /** On holiday, a person still glances at mail with this probability per mail. */
    readMailOnHoliday: 0.3,
  },

  cards: {
    /** A CPS is valid 3 years; renewal usually arrives before expiry. */
    validityYears: 3,
    renewedBeforeExpiryShare: 0.85,
    /** Otherwise it arrives this many days after expiry (no card meanwhile). */
    lateRenewalDays: [5, 30] as [number, number],
    /** Card holders who activated e-CPS on their phone (fallback without card). */
    ecpsShare: 0.5,
  },

  workstations: {
    /** A counter or back-office computer out of order for weeks, per workstation-year, and for how long. */
    offPerYear: 0.1,
    offDays: [7, 28] as [number, number],
    /** A pharmacy computer replaced per year (new install, nothing followed). */
    replacedPerYear: 0.1,
  },

  /**
   * Sign-ins of people who use their account often (holders and staff with a card): the issue allows at most one a
   * week. One every 4 working weeks keeps their clock at least 5 months from the deadline (unless they are away for
   * months, which the model keeps), and puts the cost of the run in the rare users, where the promise is tested.
   */
  frequentSignInEveryWeeks: 4,

  mail: {
    /** Mailbox behaviour: read within a day, within a week, or never (a dedicated mailbox nobody opens). */
    behaviour: { daily: 0.5, weekly: 0.32, never: 0.18 },
  },

  reaction: {
    /** Probability that a person who sees a reminder signs in within `delayDays` working days, by temperament. */
    temperament: { diligent: 0.6, casual: 0.3, careless: 0.1 },
    actProbability: { diligent: 0.9, casual: 0.5, careless: 0.1 },
    /** The last reminders weigh more: added to the probability at D-3 and below. */
    lastDaysBoost: 0.3,
    delayDays: [0, 2] as [number, number],
    /** A person at a workstation opens Vigie's window (and sees its banner) on this share of days. */
    opensVigieShare: 0.3,
  },

  unblock: {
    /** Password delegates who recorded a security key when invited to, and still remember its answers. */
    securityKeyShare: 0.6,
    rememberKeyShare: 0.85,
    /** A letter takes 2–5 working days (issue). */
    letterDays: [2, 5] as [number, number],
  },

  strangers: {
    /** Attack campaigns per 100 accounts per year, each against one sampled account. */
    campaignsPer100AccountsYear: 6,
    kinds: { 'forged-card': 0.25, 'password-flood': 0.35, 'ecps-push': 0.2, 'postal-spoil': 0.2 },
    /** Wrong passwords in a flood (the suspicious-block threshold is 20 in 24 h on a familiar workstation). */
    floodTries: 30,
    /** Half the campaigns are timed just before a sign-in of the owner, to catch lock-outs. */
    beforeOwnerShare: 0.5,
  },

  /** Times of day (hours, Paris). */
  hours: { jobs: 6, open: 9, afternoon: 15 },
} as const;

export type Params = typeof PARAMS;
