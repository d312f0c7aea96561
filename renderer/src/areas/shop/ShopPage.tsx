/**
 * The shop area's routes under `/shop`:
 *
 * | path                   | screen                                   | who            |
 * |------------------------|------------------------------------------|----------------|
 * | /shop                  | browse: search, filter, sort             | everyone       |
 * | /shop/p/:productId     | one product                              | everyone       |
 * | /shop/cart             | cart and checkout                        | everyone       |
 * | /shop/orders           | my orders (open, past, waiting, refused) | members        |
 * | /shop/manage           | products with stock, archive             | owners, admins |
 * | /shop/manage/new       | new product                              | owners, admins |
 * | /shop/manage/:id       | edit a product                           | owners, admins |
 * | /shop/board            | order board                              | owners, admins |
 */
import { Navigate, type RouteObject } from 'react-router';
import { ManageProductsPage } from './admin/ManageProductsPage.tsx';
import { OrdersBoardPage } from './admin/OrdersBoardPage.tsx';
import { ProductEditorPage } from './admin/ProductEditorPage.tsx';
import { BrowsePage } from './BrowsePage.tsx';
import { CartPage } from './CartPage.tsx';
import { MyOrdersPage } from './MyOrdersPage.tsx';
import { ProductPage } from './ProductPage.tsx';
import { ShopLayout } from './ShopLayout.tsx';

export const shopRoute: RouteObject = {
  path: 'shop',
  element: <ShopLayout />,
  children: [
    { index: true, element: <BrowsePage /> },
    { path: 'p/:productId', element: <ProductPage /> },
    { path: 'cart', element: <CartPage /> },
    { path: 'orders', element: <MyOrdersPage /> },
    { path: 'manage', element: <ManageProductsPage /> },
    { path: 'manage/new', element: <ProductEditorPage /> },
    { path: 'manage/:productId', element: <ProductEditorPage /> },
    { path: 'board', element: <OrdersBoardPage /> },
    { path: '*', element: <Navigate to="/shop" replace /> },
  ],
};
