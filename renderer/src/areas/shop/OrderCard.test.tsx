import { MantineProvider } from '@mantine/core';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { minor } from '../../../../shared/domain/money.ts';
import { placeOrder } from '../../../../shared/domain/commerce/order.ts';
import { T0 } from '../../../../shared/domain/commerce/test-support/fixtures.ts';
import { OrderCard } from './OrderCard.tsx';

const hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>';

describe('OrderCard renders untrusted text as text', () => {
  it('escapes a product title and a customer name full of markup, and formats money with Intl', () => {
    const order = placeOrder({
      id: 'o1',
      number: 'P-000042',
      customer: { userId: 'u1', displayName: hostile },
      lines: [{ productId: 'mug', title: hostile, unitPrice: minor(123456), quantity: 2 }],
      currency: 'EUR',
      taxBps: 2000,
      now: T0,
    });
    const html = renderToStaticMarkup(
      <MantineProvider>
        <OrderCard order={order} locale="de-DE" showCustomer />
      </MantineProvider>,
    );
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(html).toContain('Order P-000042');
    // 2 × 1.234,56 € = 2.469,12 €; 20 % tax once on the subtotal = 493,82 €; total 2.962,94 €.
    expect(html.replaceAll('\u00a0', ' ')).toContain('Total 2.962,94 €');
  });
});
