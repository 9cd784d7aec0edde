// GET /api/v1/openapi.json — this API as an OpenAPI 3.1 document; public.
import { publicEndpoint } from '@/lib/http/route'
import * as api from '@/lib/api/api'
import { openapiDocument, type TOpenApiDocument } from '@/lib/api/openapi'

let cached: TOpenApiDocument | null = null

export const GET = publicEndpoint(api.openapiDocument, async () => (cached ??= openapiDocument()))
