/**
 * Admins create and edit products, offline too: saving writes into this device's copy of the
 * catalog room and syncs later. The domain's validation runs here first (errors next to each
 * field); the same rule hides a bad product on every other device. Images need the server.
 */
import { ActionIcon, Alert, Anchor, Autocomplete, Button, Card, FileButton, Grid, Group, List, NativeSelect, NumberInput, SegmentedControl, Stack, TagsInput, Text, Textarea, TextInput, Title, Tooltip, EmptyState, Input } from '@mantine/core';
import { IconArrowLeft, IconPackageOff, IconTrash, IconUpload } from '@tabler/icons-react';
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { CURRENCY_CODES, type CurrencyCode } from '../../../../../shared/domain/commerce/currency.ts';
import { PRODUCT_CATEGORIES, PRODUCT_LIMITS, type Product } from '../../../../../shared/domain/commerce/product.ts';
import { useOnline } from '../../../app/network.ts';
import { useEngine, useRuntime } from '../../../app/RuntimeContext.tsx';
import { LoadingBlock, notify, OfflineNotice, ProductPicture } from '../components.tsx';
import { IMAGE_ACCEPT, uploadImage } from '../data/blobs.ts';
import { useCatalog } from '../data/catalog-store.ts';
import { newProductId, requestStockAdjustment, saveProduct } from '../data/commands.ts';
import { useStock, useTenantPolicy } from '../data/shop-data.ts';
import { useShopContext } from '../ShopLayout.tsx';
import { checkForm, emptyForm, errorsOf, formOf, type FormErrors, type ProductForm } from './product-form.ts';

/** In the order of the form, for the summary at the top. */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  title: 'Title',
  description: 'Description',
  price: 'Price',
  currency: 'Currency',
  category: 'Category',
  tags: 'Tags',
  status: 'Status',
  initialStock: 'Initial stock',
  images: 'Pictures',
};

export function ProductEditorPage() {
  const { productId } = useParams();
  const { identity } = useShopContext();
  const snapshot = useCatalog();
  const policy = useTenantPolicy();
  const creating = productId === undefined;
  const existing = creating ? undefined : snapshot?.catalog.get(productId);

  const back = (
    <Anchor component={Link} to="/shop/manage" size="sm">
      <Group gap={4} component="span">
        <IconArrowLeft size={14} aria-hidden /> All products
      </Group>
    </Anchor>
  );
  if (!identity.isAdmin) return <EmptyState icon={<IconPackageOff size={32} />} title="For shop admins" description="Only the shop owner and admins edit products." />;
  if (!snapshot || snapshot.status === 'loading' || policy === undefined) return <LoadingBlock label="Opening the editor…" />;
  if (!creating && !existing) {
    return (
      <Stack gap="md">
        {back}
        <EmptyState icon={<IconPackageOff size={32} />} title="No such product" description="It is not in the catalog on this device (it may not have synced yet)." />
      </Stack>
    );
  }
  const currency: CurrencyCode = policy?.currency ?? snapshot.index.mainCurrency() ?? 'USD';
  return <Editor key={existing?.id ?? 'new'} existing={existing ?? null} defaultCurrency={currency} back={back} categories={snapshot.index.categories(true).map((option) => option.label)} />;
}

function Editor({ existing, defaultCurrency, back, categories }: { readonly existing: Product | null; readonly defaultCurrency: CurrencyCode; readonly back: React.ReactNode; readonly categories: readonly string[] }) {
  const engine = useEngine();
  const { identity } = useShopContext();
  const { session } = useRuntime();
  const snapshot = useCatalog();
  const stock = useStock();
  const online = useOnline();
  const navigate = useNavigate();
  const [id] = useState(() => existing?.id ?? newProductId());
  const [loaded, setLoaded] = useState(existing);
  const [form, setForm] = useState<ProductForm>(() => (existing ? formOf(existing) : emptyForm(defaultCurrency)));
  const [submitted, setSubmitted] = useState(false);
  const [saveError, setSaveError] = useState<FormErrors | null>(null);
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const live = snapshot?.catalog.get(id);
  const changedElsewhere = loaded && live && live.version !== loaded.version;

  const checked = useMemo(() => checkForm(form), [form]);
  const errors: FormErrors = submitted ? { ...checked.errors, ...(saveError ?? {}) } : {};
  const errorList = Object.keys(FIELD_LABELS).flatMap((field) => (errors[field as keyof FormErrors] ? [[field, errors[field as keyof FormErrors]!] as const] : []));
  const set = <K extends keyof ProductForm>(key: K, value: ProductForm[K]) => {
    setSaveError(null);
    setForm((current) => ({ ...current, [key]: value }));
  };
  const categoryOptions = useMemo(() => [...new Set([...categories, ...PRODUCT_CATEGORIES])], [categories]);

  const upload = async (files: File[]) => {
    if (!engine || files.length === 0) return;
    setUploadError(null);
    setUploading(true);
    try {
      for (const file of files) {
        if (form.images.length >= PRODUCT_LIMITS.imagesMax) {
          setUploadError(`A product can have at most ${PRODUCT_LIMITS.imagesMax} pictures.`);
          break;
        }
        const result = await uploadImage({ serverUrl: engine.identity.serverUrl, token: await session.freshToken(), file });
        if (!result.ok) {
          setUploadError(result.error.message);
          break;
        }
        setForm((current) => (current.images.some((image) => image.hash === result.value.hash) ? current : { ...current, images: [...current.images, result.value] }));
      }
    } finally {
      setUploading(false);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!engine || checked.draft === null) return;
    const saved = saveProduct(engine, { id, draft: checked.draft });
    if (!saved.ok) {
      setSaveError('fields' in saved.error ? errorsOf(saved.error.fields) : { title: saved.error.message });
      return;
    }
    if (existing === null && typeof form.initialStock === 'number' && form.initialStock > 0) {
      await requestStockAdjustment(engine, { productId: id, delta: form.initialStock, reason: 'received', note: 'initial stock' }, stock ?? new Map());
    }
    notify({
      color: 'teal',
      message: `${existing ? 'Saved' : 'Created'} “${saved.value.title}”.${online ? '' : ' It is kept on this device and reaches the shop when you are back online.'}`,
    });
    void navigate('/shop/manage');
  };

  return (
    <Stack gap="md" component="form" onSubmit={(event: FormEvent) => void submit(event)} {...{ noValidate: true }} aria-label={existing ? 'Edit product' : 'New product'}>
      {back}
      <Title order={3}>{existing ? `Edit “${existing.title}”` : 'New product'}</Title>
      <OfflineNotice>You are offline. Saving keeps the product on this device and sends it to the shop when you are back online. Pictures need the server.</OfflineNotice>
      {changedElsewhere && (
        <Alert color="yellow" variant="light" title="Changed on another device">
          Someone saved this product while you were editing it. Saving now replaces their version.{' '}
          <Anchor
            component="button"
            type="button"
            onClick={() => {
              setLoaded(live);
              setForm(formOf(live));
            }}
          >
            Load their version instead
          </Anchor>
        </Alert>
      )}
      {errorList.length > 0 && (
        <Alert color="red" variant="light" title="Fix these before saving" role="alert" data-testid="editor-errors">
          <List size="sm">
            {errorList.map(([field, message]) => (
              <List.Item key={field}>
                {FIELD_LABELS[field] ?? field}: {message}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Card withBorder padding="md">
            <Stack gap="sm">
              <TextInput label="Title" required value={form.title} onChange={(event) => set('title', event.currentTarget.value)} error={errors.title} maxLength={PRODUCT_LIMITS.titleMax * 2} data-autofocus />
              <Textarea
                label="Description"
                description="Plain text; line breaks are kept."
                value={form.description}
                onChange={(event) => set('description', event.currentTarget.value)}
                error={errors.description}
                autosize
                minRows={4}
                maxRows={14}
              />
              <Group grow align="flex-start">
                <TextInput label="Price" required inputMode="decimal" placeholder="12.50" value={form.priceText} onChange={(event) => set('priceText', event.currentTarget.value)} error={errors.price} />
                <NativeSelect label="Currency" value={form.currency} onChange={(event) => set('currency', event.currentTarget.value as CurrencyCode)} data={[...CURRENCY_CODES]} error={errors.currency} />
              </Group>
              <Autocomplete label="Category" required value={form.category} onChange={(value) => set('category', value)} data={categoryOptions} error={errors.category} maxLength={PRODUCT_LIMITS.categoryMax * 2} />
              <TagsInput
                label="Tags"
                description={`Press Enter after each tag; up to ${PRODUCT_LIMITS.tagsMax}.`}
                value={[...form.tags]}
                onChange={(value) => set('tags', value)}
                error={errors.tags}
                maxTags={PRODUCT_LIMITS.tagsMax}
                clearable
              />
              <Input.Wrapper label="Status" error={errors.status}>
                <div>
                  <SegmentedControl
                    aria-label="Status"
                    value={form.status}
                    onChange={(value) => set('status', value === 'archived' ? 'archived' : 'active')}
                    data={[
                      { value: 'active', label: 'For sale' },
                      { value: 'archived', label: 'Archived' },
                    ]}
                  />
                </div>
              </Input.Wrapper>
              {existing === null && (
                <NumberInput
                  label="Initial stock"
                  description="Units on hand; sent to the shop as a stock change once the product has reached it."
                  value={form.initialStock}
                  onChange={(value) => set('initialStock', typeof value === 'number' ? value : '')}
                  min={0}
                  allowDecimal={false}
                  allowNegative={false}
                  error={errors.initialStock}
                />
              )}
            </Stack>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Card withBorder padding="md">
            <Stack gap="sm">
              <Title order={4}>Pictures</Title>
              {form.images.length === 0 ? (
                <Text size="sm" c="dimmed">
                  No pictures yet. Shoppers see a placeholder.
                </Text>
              ) : (
                <Group gap="sm">
                  {form.images.map((image, index) => (
                    <Stack key={image.hash} gap={4} align="center">
                      <ProductPicture image={image} identity={identity} size={88} alt={`Picture ${index + 1}`} />
                      <Tooltip label="Remove this picture">
                        <ActionIcon variant="subtle" color="gray" aria-label={`Remove picture ${index + 1}`} onClick={() => set('images', form.images.filter((other) => other.hash !== image.hash))}>
                          <IconTrash size={16} />
                        </ActionIcon>
                      </Tooltip>
                    </Stack>
                  ))}
                </Group>
              )}
              <FileButton onChange={(files) => void upload(files)} accept={IMAGE_ACCEPT} multiple>
                {(props) => (
                  <Button {...props} variant="default" leftSection={<IconUpload size={16} />} loading={uploading} disabled={!online || form.images.length >= PRODUCT_LIMITS.imagesMax}>
                    Upload pictures
                  </Button>
                )}
              </FileButton>
              <Text size="xs" c="dimmed">
                PNG, JPEG or WebP, up to 5 MB each, at most {PRODUCT_LIMITS.imagesMax}.{online ? '' : ' Connect to upload.'}
              </Text>
              {(uploadError ?? errors.images) && (
                <Text size="sm" c="red.9" role="alert">
                  {uploadError ?? errors.images}
                </Text>
              )}
            </Stack>
          </Card>
        </Grid.Col>
      </Grid>
      <Group justify="flex-end">
        <Button variant="default" component={Link} to="/shop/manage">
          Cancel
        </Button>
        <Button type="submit" data-testid="save-product">
          {existing ? 'Save changes' : 'Create product'}
        </Button>
      </Group>
    </Stack>
  );
}
