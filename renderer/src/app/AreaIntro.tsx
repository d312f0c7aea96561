import { Card, List, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import type { ComponentType } from 'react';

/** Shown by an area whose features have not landed yet: says plainly what it will hold. */
export function AreaIntro(props: {
  readonly title: string;
  readonly icon: ComponentType<{ size?: number }>;
  readonly summary: string;
  readonly features: readonly string[];
}) {
  return (
    <Stack maw={720} gap="lg">
      <Title order={2}>{props.title}</Title>
      <Card withBorder padding="lg">
        <Stack gap="sm">
          <ThemeIcon size="xl" variant="light" aria-hidden>
            <props.icon size={24} />
          </ThemeIcon>
          <Text>{props.summary}</Text>
          <Text fw={600}>Coming to this area</Text>
          <List spacing="xs">
            {props.features.map((feature) => (
              <List.Item key={feature}>{feature}</List.Item>
            ))}
          </List>
        </Stack>
      </Card>
    </Stack>
  );
}
