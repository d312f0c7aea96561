import { Badge, Tooltip } from '@mantine/core';
import { IconCloudCheck, IconCloudOff, IconCloudUp, IconLoader2, IconUserOff } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { SyncStatus } from '../engine/sync-client.ts';

export type SyncState = SyncStatus | { readonly kind: 'signed-out' };

const LOOK: Record<SyncState['kind'], { color: string; icon: ReactNode; label: string; hint: string }> = {
  offline: { color: 'gray', icon: <IconCloudOff size={14} />, label: 'Offline', hint: 'Changes are kept on this device and sent when you are back online.' },
  connecting: { color: 'yellow', icon: <IconLoader2 size={14} />, label: 'Connecting', hint: 'Reaching the sync server…' },
  synced: { color: 'teal', icon: <IconCloudCheck size={14} />, label: 'Synced', hint: 'Everything on this device is on the server.' },
  pending: { color: 'orange', icon: <IconCloudUp size={14} />, label: 'Pending', hint: 'Local changes not yet on the server.' },
  'signed-out': { color: 'gray', icon: <IconUserOff size={14} />, label: 'Not signed in', hint: 'Sign in or continue as a guest to sync.' },
};

export function SyncStatusBadge({ state }: { readonly state: SyncState }) {
  const look = LOOK[state.kind];
  const label = state.kind === 'pending' ? `${state.count} pending` : look.label;
  return (
    <Tooltip label={look.hint} withArrow>
      <Badge
        data-testid="sync-status"
        data-state={state.kind}
        role="status"
        aria-live="polite"
        variant="default"
        color={look.color}
        leftSection={<span style={{ color: `var(--mantine-color-${look.color}-filled)`, display: 'flex' }}>{look.icon}</span>}
        size="lg"
      >
        {label}
      </Badge>
    </Tooltip>
  );
}
