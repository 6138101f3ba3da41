//! Vigilance status, immovable property returns and the clearance engine (VIG-1, VIG-2, IPR-1).
