/**
 * Model output as Markdown, never as HTML: react-markdown with GFM and NO rehype-raw, so raw HTML
 * in an answer (a `<script>`, an `<img onerror>`) is shown as text. Links open outside the app
 * through the Platform port; images are not loaded (a remote image in an answer could leak what
 * was asked); code blocks have a copy button.
 */
import { ActionIcon, Anchor, Blockquote, Box, Code, CopyButton, Group, List, Table, Text, Title, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { usePlatform } from '../../app/PlatformContext.tsx';

interface HastNode {
  readonly type: string;
  readonly value?: string;
  readonly tagName?: string;
  readonly properties?: Record<string, unknown>;
  readonly children?: readonly HastNode[];
}

function textOf(node: HastNode | undefined): string {
  if (!node) return '';
  if (node.type === 'text') return node.value ?? '';
  return (node.children ?? []).map(textOf).join('');
}

function languageOf(node: HastNode | undefined): string | null {
  const code = node?.children?.find((child) => child.tagName === 'code');
  const classes = code?.properties?.className;
  const list = Array.isArray(classes) ? classes : [];
  const match = list.map(String).find((name) => name.startsWith('language-'));
  return match ? match.slice('language-'.length) : null;
}

export function CodeBlock({ code, language }: { readonly code: string; readonly language: string | null }) {
  const text = code.replace(/\n$/, '');
  return (
    <Box pos="relative" my="xs" data-testid="code-block">
      <Group justify="space-between" gap="xs" mb={4}>
        <Text size="xs" c="dimmed" ff="monospace">
          {language ?? 'code'}
        </Text>
        <CopyButton value={text}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? 'Copied' : 'Copy code'}>
              <ActionIcon variant="subtle" size="sm" onClick={copy} aria-label={copied ? 'Code copied' : 'Copy code'}>
                {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      </Group>
      {/* Focusable: a long line scrolls sideways, and keyboard users must reach it. */}
      <Code block tabIndex={0}>
        {text}
      </Code>
    </Box>
  );
}

function SafeLink({ href, children }: { readonly href?: string | undefined; readonly children?: ReactNode }) {
  const platform = usePlatform();
  if (!href || !/^https?:\/\//i.test(href)) return <>{children}</>;
  return (
    <Anchor
      href={href}
      target="_blank"
      rel="noopener noreferrer nofollow"
      onClick={(event) => {
        event.preventDefault();
        void platform.openExternal(href).catch(() => undefined);
      }}
    >
      {children}
    </Anchor>
  );
}

const components: Components = {
  pre: ({ node }) => <CodeBlock code={textOf(node as HastNode | undefined)} language={languageOf(node as HastNode | undefined)} />,
  code: ({ children }) => <Code>{children}</Code>,
  a: ({ href, children }) => <SafeLink href={href}>{children}</SafeLink>,
  input: ({ checked }) => (
    <span role="img" aria-label={checked ? 'done' : 'not done'}>
      {checked ? '☑ ' : '☐ '}
    </span>
  ),
  img: ({ alt }) => <Text span c="dimmed">{`[image${alt ? `: ${alt}` : ''} not loaded]`}</Text>,
  p: ({ children }) => (
    <Text component="p" my={6}>
      {children}
    </Text>
  ),
  h1: ({ children }) => <Title order={4}>{children}</Title>,
  h2: ({ children }) => <Title order={5}>{children}</Title>,
  h3: ({ children }) => <Title order={6}>{children}</Title>,
  h4: ({ children }) => <Title order={6}>{children}</Title>,
  h5: ({ children }) => <Title order={6}>{children}</Title>,
  h6: ({ children }) => <Title order={6}>{children}</Title>,
  ul: ({ children }) => <List my={6}>{children}</List>,
  ol: ({ children }) => (
    <List type="ordered" my={6}>
      {children}
    </List>
  ),
  li: ({ children }) => <List.Item>{children}</List.Item>,
  blockquote: ({ children }) => <Blockquote my={6}>{children}</Blockquote>,
  table: ({ children }) => (
    <Table.ScrollContainer minWidth={300}>
      <Table withTableBorder withColumnBorders my={6}>
        {children}
      </Table>
    </Table.ScrollContainer>
  ),
  thead: ({ children }) => <Table.Thead>{children}</Table.Thead>,
  tbody: ({ children }) => <Table.Tbody>{children}</Table.Tbody>,
  tr: ({ children }) => <Table.Tr>{children}</Table.Tr>,
  th: ({ children }) => <Table.Th>{children}</Table.Th>,
  td: ({ children }) => <Table.Td>{children}</Table.Td>,
};

/** Renders untrusted Markdown (model output). Headings are demoted below the page's own. */
export function Markdown({ text }: { readonly text: string }) {
  return (
    <Box>
      <ReactMarkdown remarkPlugins={[remarkGfm]} components={components}>
        {text}
      </ReactMarkdown>
    </Box>
  );
}
