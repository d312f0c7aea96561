/**
 * The analysis board: one person plays both sides from the start or from a FEN, steps through
 * the line, takes moves back, and exports PGN and FEN. Nothing here touches the server or a
 * session, so it works signed out and offline.
 */
import { ActionIcon, Alert, Button, Grid, Group, Paper, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { IconArrowBackUp, IconArrowsUpDown } from '@tabler/icons-react';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { opposite, type Color } from '../../../../shared/domain/chess/types.ts';
import { Board } from './Board.tsx';
import { ExportPanel } from './ExportPanel.tsx';
import { goTo, lineFromFen, linePgn, linePosition, newLine, playOnLine, takeBack, type AnalysisLine } from './model/analysis.ts';
import { COLOR_NAME, resultLabel } from './model/format.ts';
import { matchTypedMove } from './model/move-input.ts';
import { findMove, moveSoundOf, squaresOf } from './model/position.ts';
import { MoveList } from './MoveList.tsx';
import { playSound } from './sound.ts';

export function AnalysisPage() {
  const [params] = useSearchParams();
  const [line, setLine] = useState<AnalysisLine>(() => lineFromFen(params.get('fen') ?? '') ?? newLine());
  const [orientation, setOrientation] = useState<Color>('white');
  const [fenInput, setFenInput] = useState('');
  const [fenError, setFenError] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const [typedError, setTypedError] = useState<string | null>(null);
  const position = useMemo(() => linePosition(line), [line]);
  // The PGN's Date tag: the day this board was opened.
  const [openedAt] = useState(() => Date.now());

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return;
      if (event.key === 'ArrowLeft') setLine((current) => goTo(current, current.cursor - 1));
      else if (event.key === 'ArrowRight') setLine((current) => goTo(current, current.cursor + 1));
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (position === null) {
    return (
      <Alert color="red" variant="light" title="This position cannot be played">
        <Button mt="xs" size="xs" onClick={() => setLine(newLine())}>
          Start from the initial position
        </Button>
      </Alert>
    );
  }
  const play = (from: string, to: string, promotion?: 'q' | 'r' | 'b' | 'n') => {
    const found = findMove(position, from, to, promotion);
    if (found.kind === 'move') {
      setLine(playOnLine(line, found.move));
      playSound(moveSoundOf(found.move.san));
      return 'sent' as const;
    }
    return found.kind;
  };
  const last = line.moves[line.cursor - 1];
  const loadFen = () => {
    const loaded = lineFromFen(fenInput);
    if (loaded === null) return setFenError('That FEN is not a playable position.');
    setFenError(null);
    setFenInput('');
    setLine(loaded);
  };
  const submitTyped = () => {
    const match = matchTypedMove(typed, position.moves);
    if (match.kind === 'error') return setTypedError(match.message);
    if (match.kind === 'needs-promotion') return setTypedError(`Say which piece: for example ${match.to}=Q.`);
    setLine(playOnLine(line, match.move));
    setTyped('');
    setTypedError(null);
  };
  return (
    <Grid gap="md">
      <Grid.Col span={{ base: 12, md: 7 }}>
        <Stack gap={6} style={{ maxWidth: 'max(280px, min(100%, calc(100vh - 240px)))' }}>
          <Board
            fen={position.fen}
            orientation={orientation}
            movable={position.outcome === null ? { color: position.turn, destinations: position.destinations, premove: false } : null}
            lastMove={last ? squaresOf(last.uci) : null}
            checkSquare={position.checkSquare}
            onMove={play}
            label={`Analysis board, ${COLOR_NAME[orientation]} at the bottom`}
          />
          <Text size="sm" role="status" data-testid="analysis-status">
            {position.outcome ? `${resultLabel(position.outcome.result)} (${position.outcome.termination.replaceAll('-', ' ')})` : `${COLOR_NAME[position.turn]} to move`}
          </Text>
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 5 }}>
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            Play both sides. Works offline; nothing is sent anywhere.
          </Text>
          <Paper withBorder p="xs">
            <MoveList initialFen={line.initialFen} moves={line.moves} ply={line.cursor} onPly={(ply) => setLine(goTo(line, ply))} maxHeight={300} />
          </Paper>
          <TextInput
            label="Type a move"
            value={typed}
            onChange={(event) => {
              setTyped(event.currentTarget.value);
              setTypedError(null);
            }}
            onKeyDown={(event) => {
              if (event.key === 'Enter') {
                event.preventDefault();
                submitTyped();
              }
            }}
            error={typedError}
            autoComplete="off"
            spellCheck={false}
          />
          <Group gap="xs">
            <Tooltip label="Flip the board">
              <ActionIcon variant="default" size="lg" aria-label="Flip the board" onClick={() => setOrientation(opposite(orientation))}>
                <IconArrowsUpDown size={18} />
              </ActionIcon>
            </Tooltip>
            <Button size="xs" variant="default" leftSection={<IconArrowBackUp size={14} />} disabled={line.cursor === 0} onClick={() => setLine(takeBack(line))}>
              Take back
            </Button>
            <Button size="xs" variant="default" onClick={() => setLine(newLine())}>
              New board
            </Button>
          </Group>
          <Group gap="xs" align="flex-end" wrap="nowrap">
            <TextInput label="Start from a FEN" value={fenInput} onChange={(event) => setFenInput(event.currentTarget.value)} error={fenError} style={{ flex: 1 }} autoComplete="off" spellCheck={false} />
            <Button variant="default" onClick={loadFen} disabled={fenInput.trim() === ''}>
              Load
            </Button>
          </Group>
          <ExportPanel fen={position.fen} pgn={linePgn(line, openedAt)} fileName="plaza-analysis.pgn" />
        </Stack>
      </Grid.Col>
    </Grid>
  );
}
