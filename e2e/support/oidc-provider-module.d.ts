// oidc-provider ships no types; the spec's one use of it is typed where it is called.
declare module 'oidc-provider'
