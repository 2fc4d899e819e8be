export * from './challenges';
export * from './crl';
export * from './identity';
export * from './trust';
export * from './verify';
export * from './setup';
