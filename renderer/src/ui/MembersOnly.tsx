/** An area that guests and signed-out visitors cannot use: why, what membership brings, and the way in. */
import { Button, Card, Group, List, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconUserPlus } from '@tabler/icons-react';
import type { ComponentType, ReactNode } from 'react';
import { Link } from 'react-router';

export interface MembersOnlyProps {
  readonly guest: boolean;
  readonly icon: ComponentType<{ size?: number }>;
  readonly title: string;
  /** Why it is for members, told to a guest and to a signed-out visitor. */
  readonly why: { readonly guest: string; readonly signedOut: string };
  readonly benefits: readonly ReactNode[];
  readonly testId: string;
}

export function MembersOnly({ guest, icon: Icon, title, why, benefits, testId }: MembersOnlyProps) {
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
        <Text>{guest ? why.guest : why.signedOut}</Text>
        <List size="sm" spacing={4}>
          {benefits.map((benefit, index) => (
            <List.Item key={index}>{benefit}</List.Item>
          ))}
        </List>
        <Group>
          <Button component={Link} to="/account" leftSection={<IconUserPlus size={18} />}>
            {guest ? 'Create an account' : 'Sign in or create an account'}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
