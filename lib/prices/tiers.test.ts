import { describe, expect, it } from 'vitest'
import { scaleCatalogTiers, tierText } from '@/lib/prices/tiers'

const catalog = {
  input_per_mtok: '3',
  cached_input_per_mtok: '0.3',
  cache_write_per_mtok: '3.75',
  output_per_mtok: '15',
  tiers: [{ above_input_tokens: 200_000, input_per_mtok: '6', cached_input_per_mtok: '0.6', cache_write_per_mtok: '7.5', output_per_mtok: '22.5' }],
}

describe('scaleCatalogTiers', () => {
  it('scales each rate by the ratio of the same kind, exactly', () => {
    expect(scaleCatalogTiers({ input_per_mtok: '2.4', cached_input_per_mtok: '0.24', cache_write_per_mtok: '3', output_per_mtok: '12' }, catalog)).toEqual([
      { above_input_tokens: 200_000, input_per_mtok: '4.8', cached_input_per_mtok: '0.48', cache_write_per_mtok: '6', output_per_mtok: '18' },
    ])
  })
  it('a kind the price leaves out scales with the input ratio; results round half up to 9 decimals', () => {
    expect(scaleCatalogTiers({ input_per_mtok: '1', output_per_mtok: '15' }, catalog)).toEqual([
      { above_input_tokens: 200_000, input_per_mtok: '2', cached_input_per_mtok: '0.2', cache_write_per_mtok: '2.5', output_per_mtok: '22.5' },
    ])
    expect(scaleCatalogTiers({ input_per_mtok: '1', output_per_mtok: '1' }, { ...catalog, output_per_mtok: '7' })[0].output_per_mtok).toBe('3.214285714')
  })
  it('reads as a sentence with units', () => {
    expect(tierText(catalog.tiers[0])).toBe('above 200,000 input tokens: $6 in, $0.6 cached, $7.5 cache write, $22.5 out per M')
  })
})
