// Stands in for the server-only package where no bundler does: in the tsx processes (server.ts, workers, CLI,
// scripts: tsconfig.json "paths") and in Vitest (vitest.config.mts). Those are server code by construction.
// Next.js's build keeps the package's rule: a client component that imports a module marked
// `import 'server-only'`, directly or through others, fails the build (docs/server-only.md).
export {}
