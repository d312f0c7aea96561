import { ActionIcon, Alert, Button, Card, CopyButton, Group, Loader, Select, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy, IconKey, IconLink, IconUserMinus } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { Role } from '../../../../shared/sync/rooms.ts';
import { useRuntime } from '../../app/RuntimeContext.tsx';
import type { MemberRow } from '../../session/contract.ts';
import type { Identity } from '../../session/session-manager.ts';
import { describeError } from './SignInPanel.tsx';

const ROLE_OPTIONS = [
  { value: 'owner', label: 'Owner' },
  { value: 'admin', label: 'Admin' },
  { value: 'member', label: 'Member' },
];

function LinkField({ label, path }: { readonly label: string; readonly path: string }) {
  const url = new URL(path, window.location.origin).toString();
  return (
    <Group gap="xs" wrap="nowrap">
      <TextInput label={label} value={url} readOnly style={{ flex: 1 }} />
      <CopyButton value={url}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : 'Copy'}>
            <ActionIcon variant="default" size="lg" mt={24} onClick={copy} aria-label={`Copy ${label}`}>
              {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}

/** Tenant admins: members, roles, invite links, one-time password reset links. */
export function MembersPanel({ identity }: { readonly identity: Identity }) {
  const { session } = useRuntime();
  const tenant = encodeURIComponent(identity.tenant.id);
  const [members, setMembers] = useState<MemberRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [invite, setInvite] = useState<string | null>(null);
  const [reset, setReset] = useState<{ name: string; url: string } | null>(null);

  const [version, setVersion] = useState(0);

  useEffect(() => {
    let live = true;
    session.authed<{ members: MemberRow[] }>('GET', `/api/tenants/${tenant}/members`).then(
      (result) => live && setMembers(result.members),
      (cause: unknown) => live && setError(describeError(cause)),
    );
    return () => {
      live = false;
    };
  }, [session, tenant, version]);

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      setVersion((value) => value + 1);
    } catch (cause) {
      setError(describeError(cause));
    }
  };

  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3} size="h4">
            Members of {identity.tenant.name}
          </Title>
          <Button
            variant="default"
            leftSection={<IconLink size={16} />}
            onClick={() => void act(async () => setInvite((await session.authed<{ url: string }>('POST', `/api/tenants/${tenant}/invites`, { role: 'member' })).url))}
          >
            Invite link
          </Button>
        </Group>
        {invite && <LinkField label="Invite link (valid 7 days)" path={invite} />}
        {reset && <LinkField label={`One-time password reset link for ${reset.name}`} path={reset.url} />}
        {error && (
          <Alert color="red" variant="light" role="alert">
            {error}
          </Alert>
        )}
        {members === null ? (
          <Loader size="sm" aria-label="Loading members" />
        ) : members.length === 0 ? (
          <Text c="dimmed">No members yet. Share an invite link.</Text>
        ) : (
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Email</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>
                  <Text span size="sm" fw={700}>
                    Actions
                  </Text>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {members.map((member) => (
                <Table.Tr key={member.id}>
                  <Table.Td>{member.displayName}</Table.Td>
                  <Table.Td>{member.email ?? (member.kind === 'guest' ? 'guest' : '—')}</Table.Td>
                  <Table.Td>
                    {member.kind === 'guest' ? (
                      'Guest'
                    ) : (
                      <Select
                        aria-label={`Role of ${member.displayName}`}
                        data={ROLE_OPTIONS}
                        value={member.role}
                        disabled={member.id === identity.user.id}
                        onChange={(role) => role && void act(() => session.authed('PUT', `/api/tenants/${tenant}/members/${encodeURIComponent(member.id)}`, { role: role as Role }))}
                        allowDeselect={false}
                        w={130}
                      />
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      {member.kind === 'account' && member.id !== identity.user.id && (
                        <Tooltip label="One-time password reset link">
                          <ActionIcon
                            variant="default"
                            aria-label={`Reset link for ${member.displayName}`}
                            onClick={() =>
                              void act(async () =>
                                setReset({ name: member.displayName, url: (await session.authed<{ url: string }>('POST', `/api/tenants/${tenant}/members/${encodeURIComponent(member.id)}/reset-link`)).url }),
                              )
                            }
                          >
                            <IconKey size={16} />
                          </ActionIcon>
                        </Tooltip>
                      )}
                      {member.id !== identity.user.id && (
                        <Tooltip label="Remove from this Plaza">
                          <ActionIcon
                            variant="default"
                            color="red"
                            aria-label={`Remove ${member.displayName}`}
                            onClick={() => void act(() => session.authed('DELETE', `/api/tenants/${tenant}/members/${encodeURIComponent(member.id)}`))}
                          >
                            <IconUserMinus size={16} />
                          </ActionIcon>
                        </Tooltip>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}
