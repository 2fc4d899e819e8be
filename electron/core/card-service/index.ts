/**
 * The card service of the workstation core. `new CardService()` forks the card process (browser mode, tests);
 * under Electron, pass `spawn: () => fromUtilityProcess(utilityProcess.fork(entryJs, [], { serviceName: 'Vigie card' }))`
 * from the main process (this folder never imports `electron`). It implements the core's CardSource.
 */
export {
  CardService,
  forkCardProcess,
  CARD_PROCESS_ENTRY,
  type CardChild,
  type CardServiceOptions,
  type CardErr,
} from './card-service';
export { fromUtilityProcess, type UtilityProcessLike } from './utility-process';
export type { Identity as CardIdentity, Signature as CardSignature } from '../../../card/process/protocol';
