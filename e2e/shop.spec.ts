/**
 * The shop end to end, in Chromium against a real server: an admin adds a product offline, a
 * customer finds it with a typo and buys it, the admin moves the order, the customer sees each
 * status; a guest fills a cart and is asked to create an account at checkout, keeping the cart.
 */
import { seedShop } from './support/seed.ts';
import { expect, expectAccessible, gotoApp, test } from './support/fixtures.ts';
import { expectSync, newPerson, person, register, shopNav } from './support/shop.ts';

// Generous: two browsers, axe on every screen, and CI machines with 2 cores.
test.describe.configure({ timeout: 420_000 });

test('admin adds a product offline; a customer finds it with a typo and checks out; the admin fulfils the order; the customer sees each status', async ({ browser, server }) => {
  const admin = await newPerson(browser);
  await register(admin.page, server, person('Olga Owner'));
  await admin.page.getByRole('link', { name: 'Shop' }).first().click();
  // The first catalog sync on a fresh device can take a while on a busy machine.
  await expect(admin.page.getByText('Your shop is empty')).toBeVisible({ timeout: 60_000 });
  await expectAccessible(admin.page, 'the empty shop (admin)');

  // Offline: the browser's offline event must reach the UI (open sockets survive setOffline).
  await admin.context.setOffline(true);
  await expectSync(admin.page, 'offline');
  await expect(admin.page.getByTestId('shop-offline')).toBeVisible();
  await admin.page.getByRole('link', { name: 'Add your first product' }).click();
  await admin.page.getByRole('button', { name: 'Create product' }).click();
  await expect(admin.page.getByTestId('editor-errors')).toContainText('Title is required');
  await expect(admin.page.getByRole('textbox', { name: 'Price' })).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(admin.page, 'the product editor with errors');
  await admin.page.getByRole('textbox', { name: 'Title' }).fill('Wireless Headphones');
  await admin.page.getByRole('textbox', { name: 'Description' }).fill('Over-ear, 40 h battery.\n<b>Not bold</b>: text stays text.');
  await admin.page.getByRole('textbox', { name: 'Price' }).fill('89.90');
  await admin.page.getByRole('combobox', { name: 'Category' }).fill('Electronics');
  await admin.page.getByRole('combobox', { name: 'Tags' }).fill('audio');
  await admin.page.keyboard.press('Enter');
  await admin.page.getByRole('textbox', { name: 'Initial stock' }).fill('5');
  await admin.page.getByRole('button', { name: 'Create product' }).click();
  await expect(admin.page).toHaveURL(/\/shop\/manage$/);
  const row = admin.page.getByRole('listitem').filter({ hasText: 'Wireless Headphones' });
  await expect(row).toBeVisible();
  await expect(row.getByText('+5 pending')).toBeVisible();
  await expectSync(admin.page, 'offline');
  await expectAccessible(admin.page, 'the products list (offline)');

  await admin.context.setOffline(false);
  await expectSync(admin.page, 'synced');
  await expect(row.getByText('Only 5 left')).toBeVisible({ timeout: 20_000 });
  await expect(row.getByText('+5 pending')).toHaveCount(0);

  // A customer in another browser.
  const customer = await newPerson(browser);
  await register(customer.page, server, person('Cyd Customer'));
  await customer.page.getByRole('link', { name: 'Shop' }).first().click();
  const search = customer.page.getByRole('searchbox', { name: 'Search products' });
  await expect(customer.page.getByRole('listitem').filter({ hasText: 'Wireless Headphones' })).toBeVisible({ timeout: 30_000 });
  await customer.page.keyboard.press('/');
  await expect(search).toBeFocused();
  await customer.page.keyboard.type('wireles headphnes');
  await expect(customer.page.getByTestId('result-count')).toHaveText(/^1 product of 1/);
  await expectAccessible(customer.page, 'browse with a search');
  await customer.page.keyboard.press('Enter');
  await expect(customer.page.getByRole('heading', { name: 'Wireless Headphones' })).toBeVisible();
  await expect(customer.page.getByTestId('product-description')).toHaveText('Over-ear, 40 h battery.\n<b>Not bold</b>: text stays text.');
  await expectAccessible(customer.page, 'a product page');
  await customer.page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(shopNav(customer.page).getByRole('link', { name: 'Cart 1 item' })).toBeVisible();
  await shopNav(customer.page).getByRole('link', { name: /^Cart/ }).click();
  await expect(customer.page.getByTestId('cart-total')).toHaveText('$89.90');
  await expectAccessible(customer.page, 'the cart');
  await customer.page.getByTestId('checkout-button').click();
  const status = customer.page.getByTestId('checkout-status');
  await expect(status).toHaveAttribute('data-status', /pending|accepted/);
  await expect(status).toHaveAttribute('data-status', 'accepted', { timeout: 20_000 });
  await expect(status).toContainText('Order P-000001 placed');
  await expect(customer.page.getByText('Your cart is empty')).toBeVisible();
  await shopNav(customer.page).getByRole('link', { name: 'My orders' }).click();
  const mine = customer.page.getByTestId('order-card').filter({ hasText: 'P-000001' });
  await expect(mine).toHaveAttribute('data-status', 'placed');
  await expectAccessible(customer.page, 'my orders');

  // The admin sees the order and moves it; the customer sees every status.
  await shopNav(admin.page).getByRole('link', { name: 'Order board' }).click();
  const order = admin.page.getByTestId('order-card').filter({ hasText: 'P-000001' });
  await expect(admin.page.getByTestId('column-placed').getByTestId('order-card')).toHaveCount(1);
  await expect(order).toContainText('Cyd Customer');
  await expectAccessible(admin.page, 'the order board');
  await order.getByRole('button', { name: 'Mark paid: order P-000001' }).click();
  await expect(admin.page.getByTestId('column-paid').getByTestId('order-card')).toHaveCount(1, { timeout: 20_000 });
  await expect(mine).toHaveAttribute('data-status', 'paid', { timeout: 20_000 });
  await admin.page.getByTestId('column-paid').getByRole('button', { name: 'Mark fulfilled: order P-000001' }).click();
  await expect(admin.page.getByTestId('column-fulfilled').getByTestId('order-card')).toHaveCount(1, { timeout: 20_000 });
  await expect(mine).toHaveAttribute('data-status', 'fulfilled', { timeout: 20_000 });
  await expect(customer.page.getByText('No open orders.')).toBeVisible();

  // Stock went down by the unit sold.
  await shopNav(admin.page).getByRole('link', { name: 'Products' }).click();
  await expect(admin.page.getByRole('listitem').filter({ hasText: 'Wireless Headphones' }).getByText('Only 4 left')).toBeVisible();

  expect(admin.errors, 'admin console errors').toEqual([]);
  expect(customer.errors, 'customer console errors').toEqual([]);
  await admin.context.close();
  await customer.context.close();
});

test('a guest fills a cart, is asked to create an account at checkout, and keeps the cart', async ({ browser, server }) => {
  const seeded = await seedShop(server, {
    products: [
      { id: 'p_lamp', title: 'Desk Lamp', amount: 4500, category: 'Home', tags: ['light'] },
      { id: 'p_brulee', title: 'Crème Brûlée Torch', amount: 2999, category: 'Kitchen', description: 'Caramelises sugar.' },
      { id: 'p_mug', title: 'Enamel Mug', amount: 1200, category: 'Kitchen' },
    ],
    stock: new Map([
      ['p_lamp', 3],
      ['p_brulee', 2],
    ]),
  });
  const guest = await newPerson(browser);
  await gotoApp(guest.page, server, '/shop');
  await expectAccessible(guest.page, 'the shop welcome');
  await guest.page.getByRole('button', { name: 'Browse as guest' }).click();
  await expect(guest.page.getByRole('listitem')).toHaveCount(3, { timeout: 30_000 });
  await expect(shopNav(guest.page).getByRole('link', { name: 'My orders' })).toHaveCount(0);
  // Accents and case ignored, one typo forgiven.
  await guest.page.getByRole('searchbox', { name: 'Search products' }).fill('CREME brulee trch');
  await expect(guest.page.getByRole('listitem')).toHaveCount(1);
  await guest.page.getByRole('button', { name: 'Add Crème Brûlée Torch to the cart' }).click();
  // Filter and sort by price.
  await guest.page.getByRole('button', { name: 'Clear search and filters' }).first().click();
  await guest.page.getByRole('combobox', { name: 'Category' }).selectOption({ label: 'Kitchen (2)' });
  await guest.page.getByRole('combobox', { name: 'Sort by' }).selectOption('price-asc');
  await expect(guest.page.getByRole('listitem').first()).toContainText('Enamel Mug');
  await expect(guest.page.getByRole('listitem').filter({ hasText: 'Enamel Mug' }).getByRole('button', { name: 'Enamel Mug is sold out' })).toBeDisabled();
  await guest.page.getByRole('textbox', { name: 'Max price (USD)' }).fill('20');
  await expect(guest.page.getByRole('listitem')).toHaveCount(1);
  await expectAccessible(guest.page, 'browse with filters');

  await shopNav(guest.page).getByRole('link', { name: /^Cart/ }).click();
  await guest.page.getByRole('textbox', { name: 'Quantity of Crème Brûlée Torch' }).fill('2');
  await expect(guest.page.getByTestId('cart-total')).toHaveText('$59.98');
  await guest.page.getByRole('button', { name: 'Create an account to check out' }).click();
  const dialog = guest.page.getByRole('dialog', { name: 'Create an account to check out' });
  await expect(dialog).toBeVisible();
  await expectAccessible(guest.page, 'the create-account dialog');
  const who = person('Gus Guest');
  await dialog.getByRole('textbox', { name: 'Your name' }).fill(who.name);
  await dialog.getByRole('textbox', { name: 'Email' }).fill(who.email);
  await dialog.getByRole('textbox', { name: 'Password' }).fill(who.password);
  await dialog.getByRole('button', { name: 'Create account' }).click();
  await expect(dialog).toBeHidden();
  // Same user, same cart; now an account that may check out.
  await expect(guest.page.getByTestId('cart-line')).toHaveCount(1);
  await expect(guest.page.getByTestId('cart-total')).toHaveText('$59.98');
  await expect(shopNav(guest.page).getByRole('link', { name: 'My orders' })).toBeVisible();
  await guest.page.reload();
  await expect(guest.page.getByTestId('cart-line')).toHaveCount(1);
  await guest.page.getByRole('button', { name: 'Check out' }).click();
  await expect(guest.page.getByTestId('checkout-status')).toHaveAttribute('data-status', 'accepted', { timeout: 20_000 });
  await expect(guest.page.getByText('Your cart is empty')).toBeVisible();
  expect(guest.errors, 'guest console errors').toEqual([]);
  seeded.close();
  await guest.context.close();
});
