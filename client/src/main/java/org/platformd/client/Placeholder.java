package org.platformd.client; final class Placeholder {}
