/** A BigCommerce customer account of a B2B store (domain shape; the password hash never leaves the repository). */
export interface Customer {
  /** the BigCommerce customer id (a Company user's `bcId`) */
  id: number;
  storeHash: string;
  email: string;
  firstName: string;
  lastName: string;
  phone: string;
  hasPassword: boolean;
  forcePasswordReset: boolean;
  originChannelId: number | null;
  createdAt: number;
  updatedAt: number;
}
