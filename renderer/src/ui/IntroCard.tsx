/** The card an area shows before it can be used: what it is, what it offers, and the way in. */
import { Card, Group, List, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import type { ComponentType, ReactNode } from 'react';

export interface IntroCardProps {
  readonly icon: ComponentType<{ size?: number }>;
  readonly title: ReactNode;
  readonly text: ReactNode;
  /** `List.Item`s: what the area offers. */
  readonly points: ReactNode;
  /** The buttons that lead in. */
  readonly actions: ReactNode;
  /** Shown between the points and the actions (an error, for instance). */
  readonly children?: ReactNode;
  readonly testId?: string;
}

export function IntroCard({ icon: Icon, title, text, points, actions, children, testId }: IntroCardProps) {
  return (
    <Card withBorder padding="lg" maw={640} data-testid={testId}>
      <Stack gap="sm">
        <Group gap="sm">
          <ThemeIcon size="lg" variant="light" aria-hidden>
            <Icon size={20} />
          </ThemeIcon>
          <Title order={3} size="h4">
            {title}
          </Title>
        </Group>
        <Text>{text}</Text>
        <List size="sm" spacing={4}>
          {points}
        </List>
        {children}
        <Group>{actions}</Group>
      </Stack>
    </Card>
  );
}
