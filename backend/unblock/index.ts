export * from './security-key';
export * from './postal-code';
export * from './letter';
export * from './letter-reader';
export * from './mails';
