export * from './paris-time';
export * from './inactivity';
export * from './password';
export * from './throttle';
export * from './session';
export * from './delegation-end';
export * from './card-expiry';
