export {
  BackendClient,
  certificateSha256,
  type BackendClientOptions,
  type CallInput,
  type CallOutput,
  type ClientErr,
  type ClientResult,
} from './client';
