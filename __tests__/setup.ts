import { Testing } from "cdktf";
// Type-only: brings the matchers' declarations into jest's `expect`.
import type {} from "cdktf/lib/testing/adapters/jest";

// cdktf's matchers (toHaveResource, toHaveResourceWithProperties, ...).
Testing.setupJest();
