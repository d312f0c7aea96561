import { IconBuildingStore } from '@tabler/icons-react';
import { AreaIntro } from '../../app/AreaIntro.tsx';

export function ShopPage() {
  return (
    <AreaIntro
      title="Shop"
      icon={IconBuildingStore}
      summary="Browse your community's catalog, keep a cart on every device and check out against live stock."
      features={[
        'Search with typos forgiven, filters and sorting over thousands of products',
        'A cart that survives restarts and syncs between your devices',
        'Checkout decided by the server once, so stock never oversells',
        'Orders with their status, and an admin view to fulfil them',
      ]}
    />
  );
}
