import { z } from 'zod'
import { ZEmail, ZNewPassword } from '@/lib/auth/schema'

// Sign-up input; shared by the API, the CLI and the form (client-safe: no server imports).
export const ZSignUp = z.strictObject({
  name: z.string().trim().max(120, 'must be at most 120 characters').optional(),
  email: ZEmail,
  password: ZNewPassword,
  org_name: z.string().trim().min(2, 'must be at least 2 characters').max(80, 'must be at most 80 characters'),
})
export type TSignUp = z.infer<typeof ZSignUp>
