const dateFmt = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const timeFmt = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** « 14 mars 2027 » (Europe/Paris). */
export const frDate = (d: Date): string => dateFmt.format(d);
/** « 09:05 » (Europe/Paris, 24 h). */
export const frTime = (d: Date): string => timeFmt.format(d);
