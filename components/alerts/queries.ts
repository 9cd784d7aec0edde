'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { callApi } from '@/components/api'
import * as api from '@/lib/alerts/api'
import * as channelsApi from '@/lib/notifications/api'
import type { TBodyOf, TQueryOf } from '@/lib/http/endpoint'
import type { settingsPatch } from '@/lib/alerts/settings-view'

export const alertsQueries = {
  all: (org: string) => ['alerts', org] as const,
  list: (org: string, f: { kind?: string; state?: string }) => [...alertsQueries.all(org), 'list', f] as const,
  mutes: (org: string) => [...alertsQueries.all(org), 'mutes'] as const,
  settings: (org: string) => [...alertsQueries.all(org), 'settings'] as const,
}
export const channelQueries = {
  all: (org: string) => ['channels', org] as const,
  deliveries: (org: string, id: string) => [...channelQueries.all(org), 'deliveries', id] as const,
}

type TAlertStateFilter = NonNullable<TQueryOf<typeof api.listAlerts>['state']>

export function useAlertList(org: string, f: { kind?: string; state?: string }) {
  return useQuery({
    queryKey: alertsQueries.list(org, f),
    queryFn: ({ signal }) =>
      callApi(api.listAlerts, {
        org,
        query: { kind: f.kind || undefined, state: (f.state || undefined) as TAlertStateFilter | undefined, limit: 200 },
        signal,
      }),
    refetchInterval: 15_000,
  })
}

export function useMutes(org: string) {
  return useQuery({ queryKey: alertsQueries.mutes(org), queryFn: ({ signal }) => callApi(api.listMutes, { org, signal }), refetchInterval: 60_000 })
}

function useAlertMutation<V>(org: string, fn: (v: V) => Promise<unknown>) {
  const qc = useQueryClient()
  return useMutation({ mutationFn: fn, onSuccess: () => void qc.invalidateQueries({ queryKey: alertsQueries.all(org) }) })
}

export const useAck = (org: string) => useAlertMutation(org, (id: string) => callApi(api.acknowledgeAlert, { org, params: { id } }))
export const useMute = (org: string) =>
  useAlertMutation(org, (v: { id: string; hours: number }) => callApi(api.muteAlert, { org, params: { id: v.id }, body: { duration_hours: v.hours } }))
export const useUnmute = (org: string) => useAlertMutation(org, (id: string) => callApi(api.unmute, { org, params: { id } }))

export function useChannels(org: string) {
  return useQuery({
    queryKey: channelQueries.all(org),
    queryFn: ({ signal }) => callApi(channelsApi.listChannels, { org, signal }),
    refetchInterval: (query) => (query.state.data?.channels.some((c) => c.last_delivery?.status === 'pending') ? 2000 : 30_000),
  })
}

export function useDeliveries(org: string, id: string) {
  return useQuery({
    queryKey: channelQueries.deliveries(org, id),
    queryFn: ({ signal }) => callApi(channelsApi.channelDeliveries, { org, params: { id }, query: {}, signal }),
    refetchInterval: (query) => (query.state.data?.deliveries.some((d) => d.status === 'pending') ? 2000 : 30_000),
  })
}

function useChannelMutation<V, R>(org: string, fn: (v: V) => Promise<R>) {
  const qc = useQueryClient()
  return useMutation({ mutationFn: fn, onSuccess: () => void qc.invalidateQueries({ queryKey: channelQueries.all(org) }) })
}

export const useCreateChannel = (org: string) =>
  useChannelMutation(org, (body: TBodyOf<typeof channelsApi.createChannel>) => callApi(channelsApi.createChannel, { org, body }))
export const useDeleteChannel = (org: string) => useChannelMutation(org, (id: string) => callApi(channelsApi.deleteChannel, { org, params: { id } }))
export const useSendTest = (org: string) => useChannelMutation(org, (id: string) => callApi(channelsApi.testChannel, { org, params: { id } }))
export const useRotateSecret = (org: string) =>
  useChannelMutation(org, (id: string) => callApi(channelsApi.updateChannel, { org, params: { id }, body: { rotate_secret: true } }))

export function useAlertSettings(org: string) {
  return useQuery({ queryKey: alertsQueries.settings(org), queryFn: ({ signal }) => callApi(api.getAlertSettings, { org, signal }) })
}

export function useUpdateAlertSettings(org: string) {
  const qc = useQueryClient()
  return useMutation({
    // a field whose text is not a number is sent as that text, so the server's answer names the field and the reason
    mutationFn: (body: ReturnType<typeof settingsPatch>) => callApi(api.updateAlertSettings, { org, body: body as TBodyOf<typeof api.updateAlertSettings> }),
    onSuccess: (r) => qc.setQueryData(alertsQueries.settings(org), r),
  })
}
