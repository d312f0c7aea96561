/** The position's FEN and the game's PGN, to copy or download. */
import { Button, CopyButton, Group, Stack, TextInput } from '@mantine/core';
import { IconCheck, IconCopy, IconDownload } from '@tabler/icons-react';

function download(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-chess-pgn' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function ExportPanel({ fen, pgn, fileName }: { readonly fen: string; readonly pgn: string | null; readonly fileName: string }) {
  return (
    <Stack gap="xs">
      <Group gap="xs" wrap="nowrap" align="flex-end">
        <TextInput label="FEN of the position shown" value={fen} readOnly style={{ flex: 1 }} onFocus={(event) => event.currentTarget.select()} data-testid="fen" />
        <CopyButton value={fen}>
          {({ copied, copy }) => (
            <Button variant="default" onClick={copy} leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}>
              {copied ? 'Copied' : 'Copy FEN'}
            </Button>
          )}
        </CopyButton>
      </Group>
      {pgn !== null && (
        <Group gap="xs">
          <CopyButton value={pgn}>
            {({ copied, copy }) => (
              <Button variant="default" size="xs" onClick={copy} leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />}>
                {copied ? 'PGN copied' : 'Copy PGN'}
              </Button>
            )}
          </CopyButton>
          <Button variant="default" size="xs" leftSection={<IconDownload size={14} />} onClick={() => download(fileName, pgn)}>
            Download PGN
          </Button>
        </Group>
      )}
    </Stack>
  );
}
