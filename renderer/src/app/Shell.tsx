import { ActionIcon, AppShell, Burger, Group, NavLink, Text, Title, Tooltip, useMantineColorScheme, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconBuildingStore, IconChessKnight, IconMessageChatbot, IconMoon, IconSun, IconTrendingUp, IconUserCircle } from '@tabler/icons-react';
import type { ComponentType } from 'react';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router';
import { layout } from '../ui/theme.ts';
import { useOnline } from './network.ts';
import { useSyncStatus } from './RuntimeContext.tsx';
import { SyncedColorScheme } from './SyncedColorScheme.tsx';
import { SyncStatusBadge, type SyncState } from './SyncStatusBadge.tsx';

export interface AreaLink {
  readonly path: string;
  readonly label: string;
  readonly icon: ComponentType<{ size?: number; stroke?: number }>;
}

export const AREAS: readonly AreaLink[] = [
  { path: '/shop', label: 'Shop', icon: IconBuildingStore },
  { path: '/chat', label: 'Chat', icon: IconMessageChatbot },
  { path: '/chess', label: 'Chess', icon: IconChessKnight },
  { path: '/markets', label: 'Markets', icon: IconTrendingUp },
  { path: '/account', label: 'Account', icon: IconUserCircle },
];

function ColorSchemeToggle() {
  const { colorScheme, toggleColorScheme } = useMantineColorScheme();
  const label = colorScheme === 'dark' ? 'Switch to light mode' : 'Switch to dark mode';
  return (
    <Tooltip label={label}>
      <ActionIcon variant="default" size="lg" onClick={toggleColorScheme} aria-label={label}>
        {colorScheme === 'dark' ? <IconSun size={18} /> : <IconMoon size={18} />}
      </ActionIcon>
    </Tooltip>
  );
}

export function Shell() {
  const [opened, { toggle, close }] = useDisclosure();
  const online = useOnline();
  const status = useSyncStatus();
  const location = useLocation();
  const syncState: SyncState = !online ? { kind: 'offline' } : (status ?? { kind: 'signed-out' });
  return (
    <AppShell
      header={{ height: layout.headerHeight }}
      navbar={{ width: layout.navbarWidth, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={1} size="h3">
              Plaza
            </Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <SyncStatusBadge state={syncState} />
            <ColorSchemeToggle />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Areas">
        <nav>
          <VisuallyHidden>
            <Text>Areas</Text>
          </VisuallyHidden>
          {AREAS.map((area) => (
            <NavLink
              key={area.path}
              component={RouterLink}
              to={area.path}
              label={area.label}
              leftSection={<area.icon size={18} stroke={1.6} />}
              active={location.pathname.startsWith(area.path)}
              variant="filled"
              onClick={close}
            />
          ))}
        </nav>
      </AppShell.Navbar>
      <AppShell.Main>
        <SyncedColorScheme />
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
