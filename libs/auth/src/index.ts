export * from './token/claims';
export * from './token/auth-options';
export * from './token/token-verifier';
export * from './token/mint-token';
export * from './nest/access-rules';
export * from './nest/auth.guard';
export * from './nest/current-user';
export * from './nest/auth.module';
