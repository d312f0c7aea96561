import { IconTrendingUp } from '@tabler/icons-react';
import { AreaIntro } from '../../app/AreaIntro.tsx';

export function MarketsPage() {
  return (
    <AreaIntro
      title="Markets"
      icon={IconTrendingUp}
      summary="Trade play money on questions your community cares about; prices are the crowd's probabilities."
      features={[
        'Binary and multiple-choice markets with an automated market maker',
        'Trades placed offline show as pending and are decided when you reconnect',
        'Probability charts, your portfolio and a leaderboard',
      ]}
    />
  );
}
