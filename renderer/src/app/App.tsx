import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { createBrowserRouter, Navigate } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import type { Platform } from '../platform/platform.ts';
import { cssVariablesResolver, theme } from '../ui/theme.ts';
import { AccountPage } from '../areas/account/AccountPage.tsx';
import { InvitePage, ResetPasswordPage } from '../areas/account/LinkPages.tsx';
import { ChatPage } from '../areas/chat/ChatPage.tsx';
import { ChessPage } from '../areas/chess/ChessPage.tsx';
import { MarketsPage } from '../areas/markets/MarketsPage.tsx';
import { ShopBackground } from '../areas/shop/ShopBackground.tsx';
import { shopRoute } from '../areas/shop/ShopPage.tsx';
import { PlatformProvider } from './PlatformContext.tsx';
import { RuntimeProvider } from './RuntimeContext.tsx';
import type { PlazaRuntime } from './runtime.ts';
import { Shell } from './Shell.tsx';

export function createAppRouter() {
  return createBrowserRouter([
    {
      path: '/',
      element: <Shell />,
      children: [
        { index: true, element: <Navigate to="/shop" replace /> },
        shopRoute,
        { path: 'chat/*', element: <ChatPage /> },
        { path: 'chess/*', element: <ChessPage /> },
        { path: 'markets/*', element: <MarketsPage /> },
        { path: 'account/*', element: <AccountPage /> },
        { path: 'invite/:code', element: <InvitePage /> },
        { path: 'reset/:token', element: <ResetPasswordPage /> },
        { path: '*', element: <Navigate to="/shop" replace /> },
      ],
    },
  ]);
}

const router = createAppRouter();

export function App({ platform, runtime, styleNonce }: { readonly platform: Platform; readonly runtime: PlazaRuntime; readonly styleNonce: string | null }) {
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="auto" {...(styleNonce ? { getStyleNonce: () => styleNonce } : {})}>
      <Notifications position="top-right" />
      <PlatformProvider platform={platform}>
        <RuntimeProvider runtime={runtime}>
          <ShopBackground />
          <RouterProvider router={router} />
        </RuntimeProvider>
      </PlatformProvider>
    </MantineProvider>
  );
}
