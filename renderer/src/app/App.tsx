import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { createBrowserRouter, Navigate } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import type { Platform } from '../platform/platform.ts';
import { theme } from '../ui/theme.ts';
import { AccountPage } from '../areas/account/AccountPage.tsx';
import { ChatPage } from '../areas/chat/ChatPage.tsx';
import { ChessPage } from '../areas/chess/ChessPage.tsx';
import { MarketsPage } from '../areas/markets/MarketsPage.tsx';
import { ShopPage } from '../areas/shop/ShopPage.tsx';
import { PlatformProvider } from './PlatformContext.tsx';
import { Shell } from './Shell.tsx';

export function createAppRouter() {
  return createBrowserRouter([
    {
      path: '/',
      element: <Shell />,
      children: [
        { index: true, element: <Navigate to="/shop" replace /> },
        { path: 'shop/*', element: <ShopPage /> },
        { path: 'chat/*', element: <ChatPage /> },
        { path: 'chess/*', element: <ChessPage /> },
        { path: 'markets/*', element: <MarketsPage /> },
        { path: 'account/*', element: <AccountPage /> },
        { path: '*', element: <Navigate to="/shop" replace /> },
      ],
    },
  ]);
}

export function App({ platform, styleNonce }: { readonly platform: Platform; readonly styleNonce: string | null }) {
  const router = createAppRouter();
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto" {...(styleNonce ? { getStyleNonce: () => styleNonce } : {})}>
      <Notifications position="top-right" />
      <PlatformProvider platform={platform}>
        <RouterProvider router={router} />
      </PlatformProvider>
    </MantineProvider>
  );
}
