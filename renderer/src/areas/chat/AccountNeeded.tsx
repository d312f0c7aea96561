/** Guests and signed-out visitors: the AI assistant spends money, so it is for members. */
import { Button, Card, Group, List, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconMessageChatbot, IconUserPlus } from '@tabler/icons-react';
import { Link } from 'react-router';

export function AccountNeeded({ guest }: { readonly guest: boolean }) {
  return (
    <Card withBorder padding="lg" maw={640} data-testid="chat-needs-account">
      <Stack gap="sm">
        <Group gap="sm">
          <ThemeIcon size="lg" variant="light" aria-hidden>
            <IconMessageChatbot size={20} />
          </ThemeIcon>
          <Title order={3} size="h4">
            AI chat needs an account
          </Title>
        </Group>
        <Text>
          {guest
            ? 'You are browsing as a guest. Every answer of the AI assistant costs money, so it is for members with an account, each with their own budget.'
            : 'Sign in or create an account to talk with the AI assistant. Every answer costs money, so each member has their own budget.'}
        </Text>
        <List size="sm" spacing={4}>
          <List.Item>Conversations are kept on your devices and readable offline.</List.Item>
          <List.Item>A spend meter shows what each session and each day costs.</List.Item>
          {guest && <List.Item>Creating an account keeps everything you did as a guest.</List.Item>}
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
