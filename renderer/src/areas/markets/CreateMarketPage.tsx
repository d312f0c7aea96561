/**
 * Creating a market: binary (YES/NO at an opening probability) or multiple choice (2–20 options
 * at equal or chosen opening probabilities), a subsidy from the creator's balance (the most the
 * market maker can lose) and a close time. Checked as the referee will check it, by the domain's
 * zod schema and `createMarket`; sent as an intent (works offline) whose id is the market's id.
 */
import { ActionIcon, Alert, Button, Card, Checkbox, Group, SegmentedControl, Stack, Text, TextInput, Textarea, Title, Tooltip } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { MARKET_LIMITS } from '../../../../shared/domain/markets/index.ts';
import { minor } from '../../../../shared/domain/money.ts';
import { useOnline } from '../../app/network.ts';
import { useEngine } from '../../app/RuntimeContext.tsx';
import { useNow } from '../chat/useNow.ts';
import { notify } from './components.tsx';
import { submitCreate } from './data/commands.ts';
import { effectiveBalance, useMarketIntents, useMarketsMe, useStartingGrant } from './data/markets-data.ts';
import type { MarketsContext } from './MarketsPage.tsx';
import { addOption, checkCreateForm, type CreateForm, emptyCreateForm, type FormErrors, removeOption } from './model/create-form.ts';
import { formatPoints, formatProbability } from './model/format.ts';
import { pendingCommitments } from './model/intents.ts';

export function CreateMarketPage({ context }: { readonly context: MarketsContext }) {
  const { identity, locale } = context;
  const engine = useEngine();
  const navigate = useNavigate();
  const online = useOnline();
  const now = useNow(30_000);
  const me = useMarketsMe();
  const grant = useStartingGrant();
  const intents = useMarketIntents();
  const [form, setForm] = useState<CreateForm>(() => emptyCreateForm(Date.now()));
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const known = effectiveBalance(me, grant);
  const balance = minor((known ?? 0) - pendingCommitments(intents ?? [], null));
  const check = checkCreateForm(form, { userId: identity.user, role: identity.role, balance, now });
  // Errors show once the creator tried to submit, so an empty form does not start in red.
  const errors: FormErrors = submitted && !check.ok ? check.errors : {};
  const update = (change: Partial<CreateForm>) => setForm((current) => ({ ...current, ...change }));

  const create = async () => {
    setSubmitted(true);
    if (!engine || !check.ok) return;
    setBusy(true);
    try {
      const id = await submitCreate(engine, check.setup);
      notify({ title: online ? 'Market sent' : 'Market saved on this device', message: online ? 'It opens as soon as the server confirms it.' : 'It is sent when you are back online.' });
      void navigate(`/markets/m/${encodeURIComponent(id)}`);
    } catch (cause) {
      notify({ title: 'Not sent', message: (cause as Error).message, color: 'red' });
    } finally {
      setBusy(false);
    }
  };

  const multiple = form.kind === 'multiple-choice';
  return (
    <Card withBorder padding="lg" maw={760} component="form" aria-labelledby="create-title" onSubmit={(event) => { event.preventDefault(); void create(); }} noValidate>
      <Stack gap="md">
        <Title order={3} id="create-title">
          New market
        </Title>
        <SegmentedControl aria-label="Market type" value={form.kind} onChange={(value) => update({ kind: value as CreateForm['kind'] })} data={[{ value: 'binary', label: 'Yes / no' }, { value: 'multiple-choice', label: 'Multiple choice' }]} />
        <Textarea
          label="Question"
          description={`A question with one clear answer, ${MARKET_LIMITS.questionMinLength}–${MARKET_LIMITS.questionMaxLength} characters. Say how it will be decided.`}
          autosize
          minRows={2}
          value={form.question}
          onChange={(event) => update({ question: event.currentTarget.value })}
          error={errors.question}
          required
        />
        {multiple ? (
          <Stack gap="xs">
            <Text fw={500} size="sm" id="options-label">
              Options
            </Text>
            <Checkbox label="Equal opening probabilities" checked={form.equalOdds} onChange={(event) => update({ equalOdds: event.currentTarget.checked })} />
            <Stack gap={6} role="group" aria-labelledby="options-label">
              {form.options.map((option, index) => (
                <Group key={index} gap="xs" wrap="nowrap" align="flex-start">
                  <TextInput aria-label={`Option ${index + 1}`} placeholder={`Option ${index + 1}`} value={option} onChange={(event) => { const options = [...form.options]; options[index] = event.currentTarget.value; update({ options }); }} style={{ flex: 1 }} />
                  {!form.equalOdds && (
                    <TextInput aria-label={`Opening probability of option ${index + 1} (%)`} placeholder="%" inputMode="decimal" w={90} value={form.percents[index] ?? ''} onChange={(event) => { const percents = [...form.percents]; percents[index] = event.currentTarget.value; update({ percents }); }} />
                  )}
                  <Tooltip label="Remove this option">
                    <ActionIcon variant="subtle" color="gray" size="lg" aria-label={`Remove option ${index + 1}`} disabled={form.options.length <= MARKET_LIMITS.minOptions} onClick={() => setForm(removeOption(form, index))}>
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Tooltip>
                </Group>
              ))}
            </Stack>
            {errors.options && (
              <Text size="sm" c="var(--mantine-color-error)" role="alert">
                {errors.options}
              </Text>
            )}
            <Group>
              <Button variant="default" size="xs" leftSection={<IconPlus size={14} />} onClick={() => setForm(addOption(form))} disabled={form.options.length >= MARKET_LIMITS.maxOptions}>
                Add option
              </Button>
              <Text size="xs" c="dimmed">
                {form.options.length} of {MARKET_LIMITS.maxOptions}
              </Text>
            </Group>
          </Stack>
        ) : (
          <TextInput label="Opening probability of YES (%)" description="Where the market starts; traders move it from there." inputMode="decimal" value={form.yesPercent} onChange={(event) => update({ yesPercent: event.currentTarget.value })} error={errors.probabilities} />
        )}
        {multiple && errors.probabilities && (
          <Text size="sm" c="var(--mantine-color-error)" role="alert">
            {errors.probabilities}
          </Text>
        )}
        <Group grow align="flex-start">
          <TextInput
            label="Subsidy (points)"
            description={`Paid from your balance (${known === null ? 'not known yet' : formatPoints(balance, locale)}); the most the market can cost you. More subsidy, deeper market.`}
            inputMode="decimal"
            value={form.subsidy}
            onChange={(event) => update({ subsidy: event.currentTarget.value })}
            error={errors.subsidy}
          />
          <TextInput label="Trading closes" description="Your local time." type="datetime-local" value={form.closeAt} onChange={(event) => update({ closeAt: event.currentTarget.value })} error={errors.closeAt} />
        </Group>
        {check.ok && (
          <Text size="sm" c="dimmed" data-testid="create-summary">
            Opens at {form.kind === 'binary' ? `YES ${formatProbability(check.opening[0] ?? 0, locale)}` : check.opening.map((p) => formatProbability(p, locale)).join(' / ')}, liquidity b = {check.liquidity.toFixed(2)}.
          </Text>
        )}
        {errors.form && (
          <Alert color="red" variant="light" role="alert">
            {errors.form}
          </Alert>
        )}
        {submitted && !check.ok && (
          <Text size="sm" c="var(--mantine-color-error)" data-testid="create-errors">
            Fix the fields marked above.
          </Text>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={busy}>
            Create market
          </Button>
        </Group>
        {!online && (
          <Text size="xs" c="dimmed">
            You are offline: the market is saved here and opens when you are back online (its close time must still be in the future then).
          </Text>
        )}
      </Stack>
    </Card>
  );
}
