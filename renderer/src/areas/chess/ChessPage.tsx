import { IconChessKnight } from '@tabler/icons-react';
import { AreaIntro } from '../../app/AreaIntro.tsx';

export function ChessPage() {
  return (
    <AreaIntro
      title="Chess"
      icon={IconChessKnight}
      summary="Play a person in seconds, no signup: pick a time control and the lobby pairs you."
      features={[
        'Quick pairing, challenge links and open seeks from 1+0 bullet to 30-minute games',
        'Server clocks, reconnects within 30 seconds, draw offers, rematches',
        'Spectators, chat, ratings and your game history as PGN',
      ]}
    />
  );
}
