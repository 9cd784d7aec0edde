import { z } from 'zod'
import { endpoint } from '@/lib/http/endpoint'

// The API's own description (PRODUCT.md "The API's own description").

export const openapiDocument = endpoint({
  method: 'GET',
  path: '/api/v1/openapi.json',
  tag: 'API',
  permission: 'public',
  summary: 'This API as an OpenAPI 3.1 document',
  description: 'Generated from the schemas that validate every request and answer. No authentication.',
  responses: {
    200: {
      description: 'The OpenAPI 3.1 document',
      schema: z.looseObject({ openapi: z.literal('3.1.0'), info: z.looseObject({}), paths: z.record(z.string(), z.unknown()) }),
    },
  },
})
