/** The moves of a game in numbered rows, each a button that shows its position, with first/previous/next/last. */
import { ActionIcon, Group, ScrollArea, Table, Text, Tooltip, UnstyledButton } from '@mantine/core';
import { IconChevronLeft, IconChevronRight, IconChevronsLeft, IconChevronsRight } from '@tabler/icons-react';
import { useEffect, useRef } from 'react';
import { moveRows } from './model/clock-view.ts';

export interface MoveListProps {
  readonly initialFen: string;
  readonly moves: ReadonlyArray<{ readonly san: string }>;
  /** The ply shown (0 = start). */
  readonly ply: number;
  readonly onPly: (ply: number) => void;
  /** A move sent but not yet accepted, shown greyed after the others. */
  readonly pendingSan?: string | null;
  readonly maxHeight?: number;
}

function Cell({ cell, current, onPly, pending }: { readonly cell: { ply: number; san: string } | null; readonly current: boolean; readonly onPly: (ply: number) => void; readonly pending?: boolean }) {
  if (cell === null) return <Table.Td>…</Table.Td>;
  if (pending) {
    return (
      <Table.Td>
        <Text size="sm" c="dimmed" fs="italic" aria-label={`${cell.san}, sending`}>
          {cell.san}
        </Text>
      </Table.Td>
    );
  }
  return (
    <Table.Td>
      <UnstyledButton
        onClick={() => onPly(cell.ply)}
        aria-current={current ? 'step' : undefined}
        aria-label={`Move ${cell.ply}: ${cell.san}`}
        px={6}
        style={{ borderRadius: 4, fontWeight: current ? 700 : 400, background: current ? 'var(--mantine-primary-color-light)' : undefined }}
      >
        {cell.san}
      </UnstyledButton>
    </Table.Td>
  );
}

export function MoveList({ initialFen, moves, ply, onPly, pendingSan = null, maxHeight = 260 }: MoveListProps) {
  const all = pendingSan ? [...moves, { san: pendingSan }] : moves;
  const rows = moveRows(initialFen, all);
  const pendingPly = pendingSan ? all.length : -1;
  const last = moves.length;
  const viewport = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (ply === last) viewport.current?.scrollTo({ top: viewport.current.scrollHeight });
  }, [ply, last]);
  const nav = [
    { label: 'First position', icon: IconChevronsLeft, to: 0, disabled: ply === 0 },
    { label: 'Previous move', icon: IconChevronLeft, to: ply - 1, disabled: ply === 0 },
    { label: 'Next move', icon: IconChevronRight, to: ply + 1, disabled: ply >= last },
    { label: 'Last move', icon: IconChevronsRight, to: last, disabled: ply >= last },
  ];
  return (
    <div>
      <ScrollArea.Autosize mah={maxHeight} viewportRef={viewport} type="auto">
        {rows.length === 0 ? (
          <Text size="sm" c="dimmed" py="xs">
            No moves yet.
          </Text>
        ) : (
          <Table withRowBorders={false} verticalSpacing={2} horizontalSpacing={4} aria-label="Moves">
            <Table.Tbody>
              {rows.map((row) => (
                <Table.Tr key={row.number}>
                  <Table.Td w={36}>
                    <Text size="sm" c="dimmed">
                      {row.number}.
                    </Text>
                  </Table.Td>
                  <Cell cell={row.white} current={row.white?.ply === ply} onPly={onPly} pending={row.white?.ply === pendingPly} />
                  <Cell cell={row.black} current={row.black?.ply === ply} onPly={onPly} pending={row.black?.ply === pendingPly} />
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </ScrollArea.Autosize>
      <Group gap={4} justify="center" mt={4}>
        {nav.map((item) => (
          <Tooltip key={item.label} label={item.label}>
            <ActionIcon variant="default" aria-label={item.label} disabled={item.disabled} onClick={() => onPly(item.to)}>
              <item.icon size={16} />
            </ActionIcon>
          </Tooltip>
        ))}
      </Group>
    </div>
  );
}
