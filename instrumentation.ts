// Validate the configuration when the server starts, not on the first request.
export async function register() {
  const { loadEnv } = await import('@/lib/env')
  loadEnv()
}
