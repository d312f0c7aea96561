/** The commerce domain: catalog rules, cart, checkout decision, orders, stock, money and tax. */
export * from './vocab.ts';
export * from './text.ts';
export * from './currency.ts';
export * from './fields.ts';
export * from './product.ts';
export * from './image-bytes.ts';
export * from './search.ts';
export * from './cart.ts';
export * from './stock.ts';
export * from './order-number.ts';
export * from './order.ts';
export * from './checkout.ts';
