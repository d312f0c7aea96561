/**
 * The Markets area: play-money prediction markets of the member's community.
 *
 * | path                      | screen                                               |
 * |---------------------------|------------------------------------------------------|
 * | /markets                  | market list: open / closing soon / closed, search, sort |
 * | /markets/new              | create a market                                      |
 * | /markets/m/:marketId      | one market: chart, order ticket, position, trades, resolve |
 * | /markets/portfolio        | positions, profit and loss, balance history          |
 * | /markets/leaderboard      | the community's leaderboard                          |
 *
 * Markets are for members (the server refuses guests the rooms); guests are told so. The frame
 * keeps the directory and the leaderboard rooms open while any markets screen shows.
 */
import { Alert, Badge, Button, Group, Loader, Stack, Text, Title, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconChartLine, IconListDetails, IconPlus, IconTrendingUp, IconTrophy, IconWallet } from '@tabler/icons-react';
import type { ComponentType } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import { useEngine, useSession } from '../../app/RuntimeContext.tsx';
import { useRooms } from '../../app/useRooms.ts';
import { MembersOnly } from '../../ui/MembersOnly.tsx';
import { ACCESSIBLE_ERROR_COLOR, OfflineNotice } from '../shop/components.tsx';
import { useLocale } from '../shop/data/shop-data.ts';
import { CreateMarketPage } from './CreateMarketPage.tsx';
import { effectiveBalance, type MarketsIdentity, useMarketsIdentity, useMarketsMe, useStartingGrant } from './data/markets-data.ts';
import { LeaderboardPage } from './LeaderboardPage.tsx';
import { MarketListPage } from './MarketListPage.tsx';
import { MarketPage } from './MarketPage.tsx';
import { formatPoints } from './model/format.ts';
import { PortfolioPage } from './PortfolioPage.tsx';

export interface MarketsContext {
  readonly identity: MarketsIdentity;
  readonly locale: string;
}

function SectionLink({ to, label, icon: Icon, end }: { readonly to: string; readonly label: string; readonly icon: ComponentType<{ size?: number }>; readonly end?: boolean }) {
  return (
    <NavLink to={to} end={end} style={{ textDecoration: 'none' }}>
      {({ isActive }) => (
        <Button component="span" variant={isActive ? 'filled' : 'subtle'} size="sm" leftSection={<Icon size={16} />}>
          {label}
        </Button>
      )}
    </NavLink>
  );
}

function BalanceBadge({ locale }: { readonly locale: string }) {
  const me = useMarketsMe();
  const grant = useStartingGrant();
  const balance = effectiveBalance(me, grant);
  if (balance === null) return null;
  const label = me?.opened ? 'Your balance' : 'Your starting balance (credited with your first trade or market)';
  return (
    <Tooltip label={label}>
      <Badge size="lg" variant={me?.blocked ? 'filled' : 'light'} color={me?.blocked ? 'red' : 'plaza'} leftSection={<IconWallet size={14} />} data-testid="markets-balance" aria-label={`${label}: ${formatPoints(balance, locale)}`}>
        {formatPoints(balance, locale)}
      </Badge>
    </Tooltip>
  );
}

function MarketsNeedAccount({ guest }: { readonly guest: boolean }) {
  return (
    <MembersOnly
      guest={guest}
      icon={IconTrendingUp}
      title="Markets are for members"
      why={{
        guest: 'You are browsing as a guest. Markets trade play money that belongs to members of this community, so they need an account.',
        signedOut: 'Sign in or create an account to trade on your community’s questions.',
      }}
      benefits={[
        'Every member starts with a grant of play money.',
        'Prices are the crowd’s probabilities; trades placed offline are decided when you reconnect.',
        'Resolved markets pay winning shares one point each; the leaderboard ranks profit.',
      ]}
      testId="markets-needs-account"
    />
  );
}

function MarketsFrame({ identity }: { readonly identity: MarketsIdentity }) {
  const locale = useLocale();
  const rooms = useRooms([roomNames.markets(identity.tenant), roomNames.standings(identity.tenant, 'markets')]);
  const context: MarketsContext = { identity, locale };
  return (
    <Stack gap="md" maw={1200} style={ACCESSIBLE_ERROR_COLOR}>
      <Group justify="space-between" align="center" wrap="wrap" gap="sm">
        <Group gap="sm">
          <Title order={2}>Markets</Title>
          <BalanceBadge locale={locale} />
        </Group>
        <Group gap="xs" component="nav" aria-label="Markets sections" wrap="wrap">
          <SectionLink to="/markets" end label="All markets" icon={IconListDetails} />
          <SectionLink to="/markets/portfolio" label="Portfolio" icon={IconChartLine} />
          <SectionLink to="/markets/leaderboard" label="Leaderboard" icon={IconTrophy} />
          <SectionLink to="/markets/new" label="New market" icon={IconPlus} />
        </Group>
      </Group>
      <OfflineNotice>You are offline. Markets show what this device last saw; trades and new markets you make now are kept here and decided when you are back online, at the prices of that moment.</OfflineNotice>
      {rooms.error && (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="The markets could not be opened" role="alert">
          {rooms.error}. Reload the page; if it keeps happening, sign out and in again.
        </Alert>
      )}
      <Routes>
        <Route index element={<MarketListPage context={context} />} />
        <Route path="new" element={<CreateMarketPage context={context} />} />
        <Route path="m/:marketId" element={<MarketPage context={context} />} />
        <Route path="portfolio" element={<PortfolioPage context={context} />} />
        <Route path="leaderboard" element={<LeaderboardPage context={context} />} />
        <Route path="*" element={<Navigate to="/markets" replace />} />
      </Routes>
    </Stack>
  );
}

export function MarketsPage() {
  const session = useSession();
  const engine = useEngine();
  const identity = useMarketsIdentity();
  if (session.kind === 'signed-out' || (identity !== null && identity.isGuest)) {
    return (
      <Stack gap="lg">
        <Title order={2}>Markets</Title>
        <MarketsNeedAccount guest={session.kind === 'signed-in'} />
      </Stack>
    );
  }
  if (session.kind === 'loading' || !engine || identity === null) {
    return (
      <Stack gap="lg">
        <Title order={2}>Markets</Title>
        <Group gap="sm" role="status">
          <Loader size="sm" />
          <Text c="dimmed">Opening the markets…</Text>
        </Group>
      </Stack>
    );
  }
  return <MarketsFrame key={engine.key} identity={identity} />;
}
