export * from './schemas';
export * from './schemas-signin';
export * from './routes';
export * from './http-status';
